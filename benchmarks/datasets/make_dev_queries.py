"""Write ``dev_queries.jsonl``: the engine's own development queries (calibration and tuning).

Written by hand by the knowledge-base engineer from the sample FAQ questions (never from the
held-out ``benchmarks/data/kb_queries.jsonl``, which was not read). Used by
``benchmarks/kb_calibrate.py`` to fit the fusion weights and the confidence calibration.
"""

import json
from pathlib import Path

Q = [
    # en
    ("en", "how do i ask for asylum", ["asylum-how-to-apply"]),
    ("en", "my asylum case was refused what now", ["asylum-appeal-rejection"]),
    ("en", "can i vote in local elections", ["civic-voting-participation"]),
    ("en", "my diploma from syria is it valid here", ["diplomas-recognition"]),
    (
        "en",
        "someone insulted me because im foreign, where to complain",
        ["discrimination-what-and-how-to-report"],
    ),
    ("en", "lost my residence card", ["documents-lost-stolen"]),
    ("en", "how to renew permit before it expires", ["documents-renew-permit"]),
    ("en", "school for my son without papers", ["education-right-to-school"]),
    ("en", "who do i call in emergency", ["emergencies-numbers"]),
    (
        "en",
        "bring my wife and kids here",
        ["family-reunification-who", "family-reunification-apply"],
    ),
    ("en", "need interpreter at hospital", ["health-interpreters"]),
    ("en", "landlord says i must leave the flat next week", ["housing-eviction"]),
    ("en", "boss hasnt paid me for 2 months", ["labour-rights-unpaid-wages"]),
    ("en", "free english classes for adults?", ["language-classes-free-courses"]),
    ("en", "open bank account no passport", ["money-bank-account"]),
    ("en", "do i pay tax on my salary", ["taxes-paying-taxes"]),
    ("en", "how to find work", ["work-finding-a-job"]),
    # fr
    ("fr", "comment demander l'asile", ["asylum-how-to-apply"]),
    ("fr", "mon patron ne me paie pas", ["labour-rights-unpaid-wages"]),
    ("fr", "je cherche un logement", ["housing-finding-a-home"]),
    ("fr", "mon enfant peut aller à l'école sans papiers ?", ["education-right-to-school"]),
    ("fr", "numéro d'urgence", ["emergencies-numbers"]),
    ("fr", "j'ai perdu mon passeport", ["documents-lost-stolen"]),
    ("fr", "combien coûte le médecin, il faut une assurance ?", ["health-cost-insurance"]),
    ("fr", "je veux rentrer dans mon pays", ["return-voluntary-return"]),
    ("fr", "mon mari me frappe", ["safety-domestic-violence"]),
    ("fr", "faire reconnaître mon diplôme", ["diplomas-recognition"]),
    ("fr", "cours de français gratuits", ["language-classes-free-courses"]),
    ("fr", "est-ce que je dois déclarer mes impôts", ["taxes-tax-return"]),
    # es
    ("es", "cómo pido asilo", ["asylum-how-to-apply"]),
    ("es", "puedo trabajar aqui?", ["work-right-to-work"]),
    ("es", "no tengo donde dormir esta noche", ["housing-emergency-shelter"]),
    ("es", "estoy embarazada, necesito un médico", ["health-pregnancy-maternity"]),
    ("es", "vacunas para mi hijo", ["health-child-vaccinations"]),
    ("es", "mi jefe se quedó con mi pasaporte", ["labour-rights-employer-keeps-passport"]),
    (
        "es",
        "cuántas horas puedo trabajar y cuál es el salario mínimo",
        ["labour-rights-working-hours"],
    ),
    ("es", "enviar dinero a mi familia", ["money-sending-money-home"]),
    ("es", "necesito un contrato por escrito?", ["work-contract"]),
    ("es", "me discriminaron en el trabajo por ser extranjero", ["discrimination-work-housing"]),
    ("es", "registrar el nacimiento de mi bebé", ["documents-birth-registration"]),
    # ar
    ("ar", "كيف أقدم طلب لجوء", ["asylum-how-to-apply"]),
    ("ar", "تم رفض طلب اللجوء هل يمكنني الاستئناف", ["asylum-appeal-rejection"]),
    ("ar", "أحتاج طبيب كيف أسجل", ["health-register-doctor"]),
    ("ar", "صاحب العمل لم يدفع راتبي", ["labour-rights-unpaid-wages"]),
    ("ar", "زوجي يضربني", ["safety-domestic-violence"]),
    (
        "ar",
        "هل يمكن لابني الذهاب إلى المدرسة",
        ["education-right-to-school", "education-enrol-child"],
    ),
    ("ar", "كيف أجد عمل", ["work-finding-a-job"]),
    ("ar", "أرقام الطوارئ", ["emergencies-numbers"]),
    ("ar", "أريد فتح حساب بنكي", ["money-bank-account"]),
    ("ar", "أشعر بالحزن والتوتر", ["health-mental-health"]),
    ("ar", "كيف أجدد الإقامة", ["documents-renew-permit"]),
    # fa
    ("fa", "چطور درخواست پناهندگی بدهم", ["asylum-how-to-apply"]),
    ("fa", "کارفرما حقوقم را نداده", ["labour-rights-unpaid-wages"]),
    ("fa", "جایی برای خوابیدن ندارم", ["housing-emergency-shelter"]),
    ("fa", "آیا می توانم کار کنم", ["work-right-to-work"]),
    ("fa", "مجوز کار چطور بگیرم", ["work-permit-application"]),
    ("fa", "بچه ام را در مدرسه ثبت نام کنم", ["education-enrol-child"]),
    ("fa", "شوهرم مرا کتک می زند", ["safety-domestic-violence"]),
    ("fa", "کلاس زبان رایگان", ["language-classes-free-courses"]),
    ("fa", "مدارکم گم شده", ["documents-lost-stolen"]),
    ("fa", "دکتر چقدر هزینه دارد", ["health-cost-insurance"]),
    ("fa", "می خواهم به کشورم برگردم", ["return-voluntary-return"]),
    ("fa", "آدرسم را باید ثبت کنم؟", ["documents-register-address"]),
    # uk
    ("uk", "як подати заяву на притулок", ["asylum-how-to-apply"]),
    ("uk", "роботодавець не заплатив мені", ["labour-rights-unpaid-wages"]),
    ("uk", "як знайти житло", ["housing-finding-a-home"]),
    ("uk", "чи можу я працювати тут", ["work-right-to-work"]),
    ("uk", "як записатися до лікаря", ["health-register-doctor"]),
    ("uk", "мене хочуть виселити з квартири", ["housing-eviction"]),
    ("uk", "безкоштовні курси мови", ["language-classes-free-courses"]),
    ("uk", "як продовжити дозвіл на проживання", ["documents-renew-permit"]),
    ("uk", "визнання мого диплому", ["diplomas-recognition"]),
    ("uk", "номер екстреної допомоги", ["emergencies-numbers"]),
    ("uk", "чи треба платити податки", ["taxes-paying-taxes"]),
    # ru
    ("ru", "как попросить убежище", ["asylum-how-to-apply"]),
    ("ru", "мне не платят зарплату", ["labour-rights-unpaid-wages"]),
    ("ru", "мне негде ночевать", ["housing-emergency-shelter"]),
    ("ru", "как найти работу", ["work-finding-a-job"]),
    ("ru", "ребенок может ходить в школу без документов", ["education-right-to-school"]),
    ("ru", "я беременна куда обратиться", ["health-pregnancy-maternity"]),
    ("ru", "работодатель забрал паспорт", ["labour-rights-employer-keeps-passport"]),
    ("ru", "как открыть счет в банке", ["money-bank-account"]),
    ("ru", "могу ли я вступить в профсоюз", ["labour-rights-trade-union"]),
    ("ru", "нужен переводчик у врача", ["health-interpreters"]),
    ("ru", "как получить налоговый номер", ["taxes-tax-number"]),
    # tr
    ("tr", "nasıl sığınma başvurusu yaparım", ["asylum-how-to-apply"]),
    ("tr", "patronum maaşımı ödemedi", ["labour-rights-unpaid-wages"]),
    ("tr", "ev nasıl bulurum", ["housing-finding-a-home"]),
    ("tr", "çalışma izni nasıl alınır", ["work-permit-application"]),
    ("tr", "çocuğumu okula nasıl kaydettiririm", ["education-enrol-child"]),
    ("tr", "acil durum numarası", ["emergencies-numbers"]),
    ("tr", "kocam beni dövüyor", ["safety-domestic-violence"]),
    ("tr", "doktor ücreti ne kadar sigorta lazım mı", ["health-cost-insurance"]),
    ("tr", "diplomamı tanıtmak istiyorum", ["diplomas-recognition"]),
    ("tr", "ülkeme dönmek istiyorum", ["return-voluntary-return"]),
    ("tr", "gönüllü çalışabilir miyim", ["civic-volunteering"]),
    # ps / ti / so: emergency entries (same language), others (cross-lingual)
    ("ps", "زه غواړم ځان ووژنم", ["emergencies-suicide-self-harm"]),
    ("ps", "میړه مې ما وهي", ["safety-domestic-violence"]),
    ("ps", "د بیړني حالت شمېره", ["emergencies-numbers"]),
    ("ps", "نن شپه د ویده کېدو ځای نه لرم", ["housing-emergency-shelter"]),
    ("ps", "زما د پناه غوښتنه رد شوه", ["asylum-appeal-rejection"]),
    ("ps", "کارفرما مې پاسپورټ اخیستی", ["labour-rights-employer-keeps-passport"]),
    ("ti", "ሰብኣየይ ይወቕዓኒ", ["safety-domestic-violence"]),
    ("ti", "ናይ ህጹጽ ቁጽሪ", ["emergencies-numbers"]),
    ("ti", "ሎሚ ለይቲ ዝድቅሰሉ የብለይን", ["housing-emergency-shelter"]),
    ("ti", "ሕቶ ዑቕባይ ተነጺጉ", ["asylum-appeal-rejection"]),
    ("ti", "ንበይነይ እየ ዕድመይ ትሕቲ 18", ["asylum-unaccompanied-child", "children-unaccompanied-rights"]),
    ("so", "ninkayga ayaa i garaaca", ["safety-domestic-violence"]),
    ("so", "lambarka gurmadka degdegga", ["emergencies-numbers"]),
    ("so", "caawa meel aan seexdo ma haysto", ["housing-emergency-shelter"]),
    ("so", "codsigayga magangalyada waa la diiday", ["asylum-appeal-rejection"]),
    ("so", "shaqo-bixiyaha ayaa baasaboorkayga haysta", ["labour-rights-employer-keeps-passport"]),
    ("so", "waxaan rabaa inaan is dilo", ["emergencies-suicide-self-harm"]),
    # languages the base does not have
    ("de", "wie beantrage ich asyl", ["asylum-how-to-apply"]),
    ("de", "mein chef zahlt meinen lohn nicht", ["labour-rights-unpaid-wages"]),
    ("it", "come posso trovare una casa", ["housing-finding-a-home"]),
    ("pt", "posso trabalhar aqui?", ["work-right-to-work"]),
    # out of scope
    ("en", "what's the weather like tomorrow", []),
    ("en", "best pizza place near me", []),
    ("en", "how do i get a driving licence", []),
    ("en", "tell me a joke", []),
    ("en", "how much is a bus ticket", []),
    ("en", "which phone sim card is cheapest", []),
    ("fr", "quel temps fera-t-il demain", []),
    ("fr", "où acheter un vélo pas cher", []),
    ("es", "quién ganó el partido de fútbol", []),
    ("es", "receta de tortilla de patatas", []),
    ("ar", "ما هو أفضل مطعم في المدينة", []),
    ("ar", "كم سعر تذكرة القطار", []),
    ("fa", "هوا فردا چطور است", []),
    ("fa", "بهترین گوشی موبایل کدام است", []),
    ("uk", "яка погода завтра", []),
    ("uk", "де купити дешевий телефон", []),
    ("ru", "кто выиграл футбольный матч", []),
    ("ru", "рецепт борща", []),
    ("tr", "yarın hava nasıl olacak", []),
    ("tr", "en iyi kebapçı nerede", []),
    ("ps", "سبا هوا څنګه ده", []),
    ("so", "kooxdee ayaa ciyaarta ku guuleysatay", []),
    ("de", "wie wird das wetter morgen", []),
]


def main() -> None:
    path = Path(__file__).with_name("dev_queries.jsonl")
    with open(path, "w", encoding="utf-8") as handle:
        for language, query, relevant in Q:
            handle.write(
                json.dumps(
                    {"query": query, "language": language, "relevant": relevant}, ensure_ascii=False
                )
                + "\n"
            )
    print(f"{len(Q)} queries written to {path}")


if __name__ == "__main__":
    main()
