"""Custom actions with real rasa-sdk trackers and dispatchers and a real knowledge base."""

from __future__ import annotations

import dataclasses

import pytest

from actions.answers import ActionAnswerQuestion, ActionOutOfScope
from actions.conversation import ActionChooseLanguage, ActionGreet, ActionRestart
from actions.emergency import ActionEmergency
from actions.feedback import ActionFeedback
from actions.feedback_store import FeedbackStore
from actions.forget_me import ActionForgetMe
from actions.referral import ActionHumanHelp
from actions.select_option import ActionSelectOption
from actions.services import ActionShowServices, ValidateFindServiceForm
from haven.inbox import InboxStore
from tests.actions_env.actions.conftest import make_tracker, run, slot_events, texts


async def test_answer_has_source_review_date_and_feedback_buttons(kb):
    messages, events = await run(
        ActionAnswerQuestion(), make_tracker("Do I have the right to work?")
    )
    body = texts(messages)
    assert "Source:" in body and "Last checked: 20" in body
    assert slot_events(events)["last_answer_id"].startswith("work")
    buttons = messages[-1]["buttons"]
    assert [b["payload"] for b in buttons] == [
        '/feedback{"feedback_value": "helpful"}',
        '/feedback{"feedback_value": "not_helpful"}',
    ]
    assert all(m["metadata"]["direction"] == "ltr" for m in messages)


async def test_arabic_answer_is_marked_right_to_left(kb):
    tracker = make_tracker("هل يحق لي أن أعمل؟", language="ar")
    messages, events = await run(ActionAnswerQuestion(), tracker)
    assert "المصدر:" in texts(messages)
    assert {m["metadata"]["direction"] for m in messages} == {"rtl"}
    assert slot_events(events)["language"] == "ar"


async def test_answer_in_fallback_language_says_so(kb):
    from rasa_sdk.executor import CollectingDispatcher

    from actions.formatting import answer_text
    from actions.replies import Reply

    # Every sample entry now has Somali, so take the English text as the knowledge base
    # returns it for an entry without a Somali translation (tested on fixtures in
    # tests/actions_env/knowledge_base): shown in English, flagged as a fallback.
    english = kb.faq_answer("work-right-to-work", "en")
    answer = dataclasses.replace(english, requested_language="so", is_fallback=True)
    tracker = make_tracker("shaqo", language="so")
    body = answer_text(Reply(CollectingDispatcher(), tracker), answer)
    assert "Jawaabtan weli laguma turjumin" in body  # the note, in Somali
    assert "English" in body  # names the language the answer is shown in
    assert "Isha:" in body and answer.last_reviewed.isoformat() in body


async def test_unknown_question_says_so_and_refers_to_a_person(kb):
    messages, events = await run(ActionAnswerQuestion(), make_tracker("zxqv blorp frazzle wug"))
    body = texts(messages)
    assert "I do not know the answer" in body
    assert "A person can help you here:" in body or "cannot find a service" in body
    assert slot_events(events)["last_answer_id"] is None


async def test_unavailable_knowledge_base_declines_instead_of_failing(no_kb):
    messages, _ = await run(ActionAnswerQuestion(), make_tracker("Can I work?"))
    assert "I do not know the answer" in texts(messages)


async def test_menu_button_for_questions_asks_for_the_question(kb):
    messages, _ = await run(ActionAnswerQuestion(), make_tracker("/ask_question"))
    assert texts(messages).startswith("Write your question")


async def test_emergency_contacts_come_first_even_before_the_demo_notice(kb):
    tracker = make_tracker("he beats me", intent="emergency", slots={"demo_notice_shown": None})
    messages, events = await run(ActionEmergency(), tracker)
    assert messages[0]["text"].startswith("If you or someone else is in danger")
    assert "demonstration" in messages[-1]["text"]
    assert slot_events(events)["demo_notice_shown"] is True


async def test_emergency_works_without_the_index(no_kb):
    tracker = make_tracker("زوجي يضربني", intent="emergency", language="ar")
    messages, _ = await run(ActionEmergency(), tracker)
    first = messages[0]["text"]
    assert first.startswith("إذا كنت أنت أو شخص آخر في خطر")
    assert any(ch.isdigit() for ch in first)  # phone numbers from emergency.yml
    assert messages[0]["metadata"]["direction"] == "rtl"


async def test_emergency_stops_a_running_form(kb):
    tracker = make_tracker(
        "my husband hits me", intent="emergency", active_loop="find_service_form"
    )
    _, events = await run(ActionEmergency(), tracker)
    assert {"event": "active_loop", "name": None} in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]


async def test_feedback_is_stored_and_forget_me_erases_it(kb, feedback_db):
    entities = [{"entity": "feedback_value", "value": "not_helpful"}]
    tracker = make_tracker(
        "/feedback",
        intent="feedback",
        slots={"last_answer_id": "work-right-to-work"},
        entities=entities,
        sender="user-fb",
    )
    messages, _ = await run(ActionFeedback(), tracker)
    assert "Thank you" in texts(messages)
    store = FeedbackStore(feedback_db)
    assert store.count("user-fb") == 1
    assert store.summary() == [("work-right-to-work", 0, 1)]

    forget = make_tracker("delete my data", intent="forget_me", sender="user-fb")
    messages, events = await run(ActionForgetMe(), forget)
    assert "deleted our conversation" in texts(messages)
    assert store.count("user-fb") == 0
    assert [e["event"] for e in events] == ["restart", "reset_slots"]


async def test_feedback_without_a_value_asks_with_buttons(kb, feedback_db):
    tracker = make_tracker("meh", intent="feedback", slots={"last_answer_id": "x"})
    messages, _ = await run(ActionFeedback(), tracker)
    assert len(messages[-1]["buttons"]) == 2
    assert FeedbackStore(feedback_db).count() == 0


async def test_explicit_language_choice_is_locked_and_wins_over_detection(kb):
    entities = [{"entity": "language", "value": "es"}]
    tracker = make_tracker("en español por favor", intent="choose_language", entities=entities)
    messages, events = await run(ActionChooseLanguage(), tracker)
    assert texts(messages) == "De acuerdo, le escribiré en español."
    assert slot_events(events) == {"language": "es", "language_locked": True}

    later = make_tracker(
        "hello", intent="greet", language="en", slots={"language": "es", "language_locked": True}
    )
    messages, _ = await run(ActionGreet(), later)
    assert messages[0]["text"].startswith("Hola, soy Haven")


async def test_language_named_in_text_without_entity(kb):
    tracker = make_tracker("Türkçe", intent="choose_language", language=None)
    _, events = await run(ActionChooseLanguage(), tracker)
    assert slot_events(events)["language"] == "tr"


async def test_language_choice_offers_every_language_as_buttons(kb):
    messages, events = await run(
        ActionChooseLanguage(), make_tracker("change language", intent="choose_language")
    )
    titles = [b["title"] for b in messages[-1]["buttons"]]
    assert len(titles) == 11 and "العربية" in titles and "ትግርኛ" in titles
    assert len(slot_events(events)["last_options"]) == 11


async def test_detected_language_is_kept_for_undetectable_messages(kb):
    tracker = make_tracker("ok", intent="greet", language=None, slots={"language": "uk"})
    messages, events = await run(ActionGreet(), tracker)
    assert messages[0]["text"].startswith("Вітаю")
    assert "language" not in slot_events(events)


async def test_first_contact_mentions_the_demo_content(kb):
    tracker = make_tracker(
        "bonjour", intent="greet", language="fr", slots={"demo_notice_shown": None}
    )
    messages, events = await run(ActionGreet(), tracker)
    assert "démonstration" in messages[0]["text"] and "Examplie" in messages[0]["text"]
    assert slot_events(events)["demo_notice_shown"] is True


async def test_numbered_reply_selects_the_button(kb):
    menu = ["/ask_question", "/find_service", "/human_help", "/emergency"]
    tracker = make_tracker(
        "4",
        intent="select_option",
        slots={"last_options": menu},
        entities=[{"entity": "number", "value": "4"}],
    )
    messages, _ = await run(ActionSelectOption(), tracker)
    assert messages[0]["text"].startswith("If you or someone else is in danger")


async def test_numbered_reply_in_persian_digits_picks_a_language(kb):
    options = ['/choose_language{"language": "en"}', '/choose_language{"language": "fa"}']
    tracker = make_tracker(
        "۲", intent="select_option", language=None, slots={"last_options": options}
    )
    messages, events = await run(ActionSelectOption(), tracker)
    assert slot_events(events)["language"] == "fa"
    assert messages[0]["metadata"]["direction"] == "rtl"


async def test_number_without_options_shows_the_menu(kb):
    messages, _ = await run(ActionSelectOption(), make_tracker("7", intent="select_option"))
    assert len(messages[-1]["buttons"]) == 6


async def test_human_help_gives_a_real_service_from_the_directory(kb):
    messages, _ = await run(ActionHumanHelp(), make_tracker("talk to a person", "human_help"))
    body = texts(messages)
    assert body.startswith("A person can help you here:")
    assert "Phone: +999" in body


async def test_services_for_category_and_city(kb):
    tracker = make_tracker("", intent="inform", slots={"category": "health", "city": "lindmark"})
    messages, events = await run(ActionShowServices(), tracker)
    body = texts(messages)
    assert body.startswith("Services for Health in Lindmark:")
    assert "Phone:" in body
    assert slot_events(events)["category"] is None


async def test_services_near_a_shared_location(kb):
    tracker = make_tracker(
        "",
        intent="share_location",
        slots={"category": "health", "latitude": 47.07, "longitude": 9.45},
    )
    messages, _ = await run(ActionShowServices(), tracker)
    body = texts(messages)
    assert body.startswith("Services for Health near you:") and " km away" in body


@pytest.mark.parametrize("value, valid", [("health", True), ("spaceships", False)])
async def test_form_accepts_only_taxonomy_categories(kb, value, valid):
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(value, intent="inform")
    result = ValidateFindServiceForm().validate_category(value, dispatcher, tracker, {})
    assert result == {"category": value if valid else None}
    assert bool(dispatcher.messages) is not valid


async def test_form_takes_a_numbered_category(kb):
    from rasa_sdk.executor import CollectingDispatcher

    options = ['/inform{"category": "health"}', '/inform{"category": "legal-aid"}']
    tracker = make_tracker(
        "2", intent="select_option", slots={"last_options": options, "requested_slot": "category"}
    )
    result = await ValidateFindServiceForm().extract_category(CollectingDispatcher(), tracker, {})
    assert result == {"category": "legal-aid"}


async def test_out_of_scope_and_restart_keep_the_language(kb):
    tracker = make_tracker(
        "what is the weather", "out_of_scope", language="de", slots={"language": "ru"}
    )
    messages, _ = await run(ActionOutOfScope(), tracker)
    assert messages[0]["text"].startswith("Я могу помочь")  # de unsupported → kept ru
    _, events = await run(ActionRestart(), make_tracker("restart", "restart", language="fr"))
    assert events[0]["event"] == "restart"
    assert slot_events(events)["language"] == "fr"


@pytest.mark.parametrize(
    "category, first", [("self-harm", "1410"), ("trafficking", "1599"), ("violence", "117")]
)
async def test_contacts_for_the_danger_category_come_first(kb, category, first):
    tracker = make_tracker("...", intent="emergency")
    tracker.latest_message["danger"] = {"category": category, "language": "en"}
    messages, _ = await run(ActionEmergency(), tracker)
    assert messages[0]["text"].splitlines()[1].split(": ")[1].startswith(first)


async def test_declined_question_reaches_the_console_inbox_redacted(kb, inbox_db):
    question = "best recipe for chocolate cake? call me on +999 10 555 0199"
    messages, _ = await run(ActionAnswerQuestion(), make_tracker(question))
    assert "I do not know the answer" in texts(messages)
    [stored] = InboxStore(inbox_db).questions()
    assert stored.reason == "declined" and stored.language == "en"
    assert "chocolate cake" in stored.text and "555" not in stored.text


async def test_unavailable_knowledge_base_records_nothing_in_the_inbox(no_kb, inbox_db):
    await run(ActionAnswerQuestion(), make_tracker("Can I work?"))
    assert InboxStore(inbox_db).questions() == []


async def test_not_helpful_feedback_keeps_the_question_for_content_staff(kb, feedback_db, inbox_db):
    tracker = make_tracker(
        "/feedback",
        intent="feedback",
        slots={"last_answer_id": "work-right-to-work"},
        entities=[{"entity": "feedback_value", "value": "not_helpful"}],
    )
    tracker.events[:] = [
        {"event": "user", "text": "can I work while waiting for asylum?"},
        {"event": "user", "text": "/ask_question"},
        {"event": "user", "text": "/feedback"},
    ]
    await run(ActionFeedback(), tracker)
    [stored] = InboxStore(inbox_db).questions()
    assert stored.reason == "not_helpful" and stored.entry_id == "work-right-to-work"
    assert stored.text == "can I work while waiting for asylum?"
