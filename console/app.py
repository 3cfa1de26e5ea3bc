"""The console web application (Sanic): pages, forms, login, and the rules around them.

Every page needs a login; every POST needs the session's CSRF token (and, when the browser
sends one, an ``Origin`` of this server). Roles decide what a user may do (see
:mod:`console.auth`). Saving validates with the knowledge-base validator, records the change in
the audit trail and rebuilds the index so the bot answers from the new content seconds later.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import secrets
import tempfile
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlparse

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Request, Sanic
from sanic.response import HTTPResponse, html, json, raw, redirect

from console import charts, i18n
from console.audit import AuditLog
from console.auth import Accounts, csrf_ok
from console.config import ConsoleConfig
from console.dashboard import (
    add_feedback,
    add_stale,
    conversation_stats,
    read_events,
    tracker_store_config,
)
from console.db import Database
from console.entries import KINDS, RETIRED, ChangeRejectedError, ContentStore, EntryState
from console.forms import (
    faq_from_form,
    format_opening_hours,
    review_by_default,
    service_from_form,
)
from console.inbox_groups import group_questions
from console.publish import Publisher
from haven.inbox import InboxStore
from knowledge_base.content import CORE_LANGUAGES, Content

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "haven_console"
LOGIN_COOKIE = "haven_console_login"
LANG_COOKIE = "haven_console_lang"
PATHS = {"faq": "faq", "service": "services"}
MAX_FAILURES = 5
FAILURE_WINDOW_S = 300
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

Handler = Callable[..., Awaitable[HTTPResponse]]


class ConsoleState:
    """What the request handlers share: configuration, stores, caches, locks."""

    def __init__(self, config: ConsoleConfig) -> None:
        self.config = config
        self.db = Database(config.db_path)
        self.accounts = Accounts(self.db, config.session_idle_minutes, config.session_max_hours)
        self.audit = AuditLog(self.db)
        self.store = ContentStore(config.content_dir)
        self.publisher = Publisher(config.content_dir, config.index_dir)
        self.inbox = InboxStore(config.inbox_db)
        self.write_lock = asyncio.Lock()
        self.failures: dict[str, deque[float]] = {}
        self.flash: dict[int, dict[str, Any]] = {}
        self._content: tuple[float, Content | None, list[Any]] | None = None
        self._vectors: dict[str, Any] = {}
        self._dashboard: tuple[float, int, Any] | None = None
        self._kb: Any = None
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    # -- cached reads --------------------------------------------------------------------
    def content(self) -> tuple[Content | None, list[Any]]:
        """The live content and its problems (re-read when a file changed)."""
        files = list(self.config.content_dir.rglob("*.yml"))
        stamp = max((p.stat().st_mtime for p in files), default=0.0) + len(files)
        if self._content is None or self._content[0] != stamp:
            content, problems = self.store.check()
            self._content = (stamp, content, problems)
        return self._content[1], self._content[2]

    def encode(self, texts: list[str]) -> Any:
        """Embeddings of inbox texts (cached per text)."""
        import numpy as np

        missing = [t for t in texts if t not in self._vectors]
        if missing:
            vectors = self.publisher.embedder().encode(missing)
            self._vectors.update(zip(missing, vectors, strict=True))
        return np.stack([self._vectors[t] for t in texts]) if texts else np.zeros((0, 1))

    def ask(self, question: str, language: str) -> Any:
        """What the knowledge base answers (the same search the bot's actions run)."""
        from knowledge_base.search import KnowledgeBase

        if self._kb is None:
            self._kb = KnowledgeBase.open(
                self.config.index_dir, self.publisher.embedder(), reload_interval_s=0
            )
        self._kb.reload()
        return self._kb.search_faq(question, language=language)

    def too_many_failures(self, key: str) -> bool:
        """Whether a user name failed to log in too often lately."""
        now = time.monotonic()
        recent = self.failures.setdefault(key, deque())
        while recent and now - recent[0] > FAILURE_WINDOW_S:
            recent.popleft()
        return len(recent) >= MAX_FAILURES


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def state(request: Request) -> ConsoleState:
    """The shared console state."""
    return request.app.ctx.console


def ui_language(request: Request) -> str:
    """The UI language: ``?ui=``, then the cookie, then the browser's preference, then en."""
    languages = i18n.available()
    chosen = request.args.get("ui") or request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    for part in (request.headers.get("accept-language") or "").split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in languages:
            return code
    return "en"


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTTPResponse:
    """Render a page with the common context (user, CSRF token, UI language and direction)."""
    console = state(request)
    language = request.ctx.ui
    session = request.ctx.session
    body = console.templates.get_template(template).render(
        _=i18n.gettext(language),
        ui=language,
        ui_dir="rtl" if language in console.config.rtl_languages else "ltr",
        ui_languages=i18n.available(),
        rtl=set(console.config.rtl_languages),
        user=session.user if session else None,
        csrf=session.csrf if session else "",
        path=request.path,
        **context,
    )
    return html(body, status=status)


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlparse(origin).netloc == request.host


def need(permission: str) -> Callable[[Handler], Handler]:
    """Require a session with ``permission``; POSTs also need the CSRF token."""

    def decorator(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            session = request.ctx.session
            _ = i18n.gettext(request.ctx.ui)
            if session is None:
                if request.method != "GET":
                    return render(request, "error.html", 403, message=_("Please log in again."))
                return redirect(f"/login?{urlencode({'next': request.path})}")
            if request.method == "POST" and (
                not csrf_ok(session.csrf, request.form.get("csrf")) or not _same_origin(request)
            ):
                return render(
                    request,
                    "error.html",
                    403,
                    message=_("This form has expired or did not come from the console. "
                              "Go back, reload the page and try again."),
                )  # fmt: skip
            if not session.user.can(permission):
                return render(
                    request, "error.html", 403, message=_("Your role does not allow this.")
                )
            return await handler(request, *args, **kwargs)

        return wrapper

    return decorator


def _cookie(response: HTTPResponse, request: Request, name: str, value: str, **extra: Any) -> None:
    response.add_cookie(
        name,
        value,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=state(request).config.secure_cookie,
        **extra,
    )


def _languages(content: Content | None) -> list[str]:
    if content is None:
        return list(CORE_LANGUAGES)
    codes = list(content.taxonomy.languages)
    return [c for c in CORE_LANGUAGES if c in codes] + [c for c in codes if c not in CORE_LANGUAGES]


def _source_language(content: Content | None) -> str:
    return content.taxonomy.fallback_language if content else "en"


def _kind(name: str) -> str:
    return "faq" if name == "faq" else "service"


# ---------------------------------------------------------------------------------------------
# The application
# ---------------------------------------------------------------------------------------------


def create_app(config: ConsoleConfig | None = None, name: str = "haven_console") -> Sanic:
    """Build the console application."""
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 20_000_000
    app.config.FORWARDED_SECRET = None
    app.ctx.console = ConsoleState(config or ConsoleConfig.load())
    app.static("/static", HERE / "static", name="static")

    @app.before_server_start
    async def warm_up(app: Sanic) -> None:
        console: ConsoleState = app.ctx.console
        if console.config.warm_up:
            threading.Thread(target=console.publisher.warm_up, daemon=True).start()

    @app.on_request
    async def load_session(request: Request) -> None:
        request.ctx.ui = ui_language(request)
        request.ctx.session = state(request).accounts.session(request.cookies.get(SESSION_COOKIE))

    @app.on_response
    async def security_headers(request: Request, response: HTTPResponse) -> None:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if not request.path.startswith("/static"):
            response.headers["Cache-Control"] = "no-store"
        if request.args.get("ui") in i18n.available():
            _cookie(response, request, LANG_COOKIE, request.args.get("ui"), max_age=365 * 86400)

    _add_login_routes(app)
    _add_entry_routes(app)
    _add_history_routes(app)
    _add_inbox_routes(app)
    _add_dashboard_routes(app)
    _add_spreadsheet_routes(app)
    _add_try_routes(app)
    return app


# ---------------------------------------------------------------------------------------------
# Ask the bot (what the knowledge base answers now)
# ---------------------------------------------------------------------------------------------


def _add_try_routes(app: Sanic) -> None:
    @app.get("/try")
    @need("view")
    async def try_question(request: Request) -> HTTPResponse:
        console = state(request)
        content, _problems = console.content()
        languages = _languages(content)
        question = str(request.args.get("q") or "").strip()[:500]
        language = str(request.args.get("lang") or "")
        if language not in languages:
            language = request.ctx.ui if request.ctx.ui in languages else languages[0]
        result, error = None, None
        if question:
            try:
                result = await asyncio.to_thread(console.ask, question, language)
            except Exception as problem:  # a missing or broken index is shown, not raised
                error = str(problem)
        return render(request, "try.html", question=question, language=language,
                      languages=languages, result=result, error=error)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Login
# ---------------------------------------------------------------------------------------------


def _add_login_routes(app: Sanic) -> None:
    @app.get("/health")
    async def health(request: Request) -> HTTPResponse:
        return json({"status": "ok"})

    @app.get("/login")
    async def login_form(request: Request) -> HTTPResponse:
        token = secrets.token_urlsafe(24)
        response = render(
            request, "login.html", login_token=token, next=request.args.get("next", "/")
        )
        _cookie(response, request, LOGIN_COOKIE, token, max_age=3600)
        return response

    @app.post("/login")
    async def login(request: Request) -> HTTPResponse:
        console = state(request)
        _ = i18n.gettext(request.ctx.ui)
        form = request.form
        name = (form.get("name") or "").strip().lower()
        token = secrets.token_urlsafe(24)
        target = form.get("next") or "/"
        if not target.startswith("/") or target.startswith("//"):
            target = "/"

        def refuse(message: str, status: int) -> HTTPResponse:
            response = render(
                request, "login.html", status, login_token=token, next=target,
                error=message, name=name,
            )  # fmt: skip
            _cookie(response, request, LOGIN_COOKIE, token, max_age=3600)
            return response

        if not csrf_ok(request.cookies.get(LOGIN_COOKIE), form.get("login_token")) or not (
            _same_origin(request)
        ):
            return refuse(_("The login form expired. Please try again."), 403)
        if console.too_many_failures(name):
            return refuse(_("Too many failed attempts. Wait five minutes and try again."), 429)
        user = await asyncio.to_thread(
            console.accounts.authenticate, name, form.get("password") or ""
        )
        if user is None:
            console.failures.setdefault(name, deque()).append(time.monotonic())
            return refuse(_("Wrong user name or password."), 401)
        console.failures.pop(name, None)
        session = console.accounts.start_session(user)
        response = redirect(target)
        _cookie(response, request, SESSION_COOKIE, session.token)
        response.delete_cookie(LOGIN_COOKIE, path="/")
        return response

    @app.post("/logout")
    @need("view")
    async def logout(request: Request) -> HTTPResponse:
        state(request).accounts.end_session(request.cookies.get(SESSION_COOKIE))
        response = redirect("/login")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response


# ---------------------------------------------------------------------------------------------
# FAQ entries and services
# ---------------------------------------------------------------------------------------------


def _matches(query: str, *texts: Any) -> bool:
    query = query.casefold()
    return any(query in str(t).casefold() for t in texts if t)


def _faq_rows(content: Content, query: str, topic: str, missing: str) -> list[dict[str, Any]]:
    rows = []
    today = dt.date.today()
    for entry in content.faqs:
        if topic and entry.topic != topic:
            continue
        if missing and missing in entry.translations:
            continue
        texts = [t for text in entry.translations.values() for t in (*text.phrasings, text.answer)]
        if query and not _matches(query, entry.id, *entry.tags, *texts):
            continue
        en = entry.translations.get("en") or next(iter(entry.translations.values()))
        rows.append({
            "id": entry.id, "title": en.question, "group": entry.topic,
            "languages": set(entry.translations), "review_by": entry.review_by,
            "stale": entry.review_by <= today, "last_reviewed": entry.last_reviewed,
        })  # fmt: skip
    return rows


def _service_rows(content: Content, query: str, city: str, missing: str) -> list[dict[str, Any]]:
    rows = []
    today = dt.date.today()
    for service in content.services:
        if city and service.city != city:
            continue
        if missing and missing in service.translations:
            continue
        texts = [t for text in service.translations.values() for t in (text.name, text.description)]
        if query and not _matches(query, service.id, service.organization_name, *texts):
            continue
        en = service.translations.get("en") or next(iter(service.translations.values()))
        rows.append({
            "id": service.id, "title": en.name, "group": service.city,
            "languages": set(service.translations), "review_by": service.review_by,
            "stale": service.review_by <= today, "last_reviewed": service.last_reviewed,
        })  # fmt: skip
    return rows


def _form_context(
    request: Request, kind: str, data: dict[str, Any], is_new: bool, **extra: Any
) -> dict[str, Any]:
    console = state(request)
    content, _problems = console.content()
    today = dt.date.today()
    user = request.ctx.session.user
    fields = dict(data)
    fields["review_by"] = review_by_default(
        str(data.get("review_by") or ""), today, console.config.review_months
    )
    if kind == "service":
        fields["opening_hours_text"] = format_opening_hours(data.get("opening_hours"))
    return {
        "kind": kind,
        "base": PATHS[kind],
        "entry": fields,
        "is_new": is_new,
        "languages": _languages(content),
        "taxonomy": content.taxonomy if content else None,
        "source_language": _source_language(content),
        "full_access": user.can("edit"),
        "can_save": user.can("translate") and (user.can("edit") or not is_new),
        "history": [] if is_new else console.audit.recent(20, kind, data.get("id", "")),
        "today": today.isoformat(),
        **extra,
    }


def _add_entry_routes(app: Sanic) -> None:
    for kind, base in PATHS.items():
        _add_kind_routes(app, kind, base)

    @app.get("/retired")
    @need("view")
    async def retired(request: Request) -> HTTPResponse:
        store = state(request).store
        items = [
            (kind, PATHS[kind], file, data)
            for kind in KINDS
            for file, data in store.raw_entries(kind, retired=True)
        ]
        return render(request, "retired.html", items=items)


def _add_kind_routes(app: Sanic, kind: str, base: str) -> None:
    @app.get(f"/{base}", name=f"{kind}_list")
    @need("view")
    async def listing(request: Request) -> HTTPResponse:
        content, problems = state(request).content()
        query = request.args.get("q", "").strip()
        group = request.args.get("group", "")
        missing = request.args.get("missing", "")
        rows = []
        if content is not None:
            rows = (_faq_rows if kind == "faq" else _service_rows)(content, query, group, missing)
        groups = []
        if content is not None:
            groups = list(content.taxonomy.topics if kind == "faq" else content.taxonomy.cities)
        return render(
            request, "list.html", kind=kind, base=base, rows=rows, query=query, group=group,
            missing=missing, groups=groups, languages=_languages(content),
            errors=[p for p in problems if p.is_error],
        )  # fmt: skip

    @app.get(f"/{base}/new", name=f"{kind}_new")
    @need("edit")
    async def new_form(request: Request) -> HTTPResponse:
        data: dict[str, Any] = {"translations": {}}
        inbox_ids = request.args.get("inbox", "")
        if kind == "faq" and inbox_ids:
            data = _draft_from_inbox(request, inbox_ids)
        return render(
            request, "edit.html", **_form_context(request, kind, data, True, inbox=inbox_ids)
        )

    @app.post(f"/{base}/new", name=f"{kind}_create")
    @need("edit")
    async def create(request: Request) -> HTTPResponse:
        return await _save(request, kind, None)

    @app.get(f"/{base}/<entry_id>", name=f"{kind}_show")
    @need("view")
    async def show(request: Request, entry_id: str) -> HTTPResponse:
        current = state(request).store.state(kind, entry_id)
        if current.state == "absent" or current.data is None:
            _ = i18n.gettext(request.ctx.ui)
            return render(request, "error.html", 404, message=_("Not found."), back=f"/{base}")
        saved = str(request.args.get("saved") or "")
        flash = state(request).flash.pop(int(saved), None) if saved.isdigit() else None
        return render(
            request, "edit.html",
            **_form_context(request, kind, current.data, False, retired=current.state == RETIRED,
                            flash=flash),
        )  # fmt: skip

    @app.post(f"/{base}/<entry_id>", name=f"{kind}_save")
    @need("translate")
    async def save(request: Request, entry_id: str) -> HTTPResponse:
        return await _save(request, kind, entry_id)

    @app.post(f"/{base}/<entry_id>/retire", name=f"{kind}_retire")
    @need("edit")
    async def retire(request: Request, entry_id: str) -> HTTPResponse:
        return await _move(request, kind, entry_id, RETIRED, "retire")

    @app.post(f"/{base}/<entry_id>/restore", name=f"{kind}_restore")
    @need("edit")
    async def restore(request: Request, entry_id: str) -> HTTPResponse:
        return await _move(request, kind, entry_id, "active", "restore")


def _draft_from_inbox(request: Request, ids_text: str) -> dict[str, Any]:
    ids = {int(i) for i in ids_text.split(",") if i.strip().isdigit()}
    questions = [q for q in state(request).inbox.questions(status=None) if q.id in ids]
    if not questions:
        return {"translations": {}}
    language = questions[0].language
    texts = list(dict.fromkeys(q.text for q in questions if q.language == language))
    text: dict[str, Any] = {"question": texts[0]}
    if len(texts) > 1:
        text["alternatives"] = texts[1:11]
    return {"translations": {language: text}}


async def _save(request: Request, kind: str, entry_id: str | None) -> HTTPResponse:
    console = state(request)
    user = request.ctx.session.user
    content, _problems = console.content()
    _ = i18n.gettext(request.ctx.ui)
    form = request.form

    def get(name: str) -> str:
        return str(form.get(name) or "")

    build = faq_from_form if kind == "faq" else service_from_form
    async with console.write_lock:
        before = console.store.state(kind, entry_id) if entry_id else EntryState("absent")
        if entry_id and before.state != "active":
            return render(request, "error.html", 409, message=_("This entry is retired."))
        data = build(
            get, before.data, _languages(content), full_access=user.can("edit"),
            source_language=_source_language(content), today=dt.date.today(),
        )  # fmt: skip
        new_id = str(data.get("id") or "")
        problems: list[str] = []
        if entry_id is None:
            if not new_id:
                problems.append(_("Give the entry an id, e.g. work-right-to-work."))
            elif console.store.state(kind, new_id).state != "absent":
                problems.append(_("The id '{id}' is already used. Choose another one.", id=new_id))
        if not problems:
            target = EntryState("active", before.file, data)
            try:
                warnings = await asyncio.to_thread(
                    console.store.apply, kind, new_id, target, dt.date.today()
                )
            except ChangeRejectedError as error:
                problems = [p.message for p in error.problems]
        if problems:
            context = _form_context(request, kind, data, entry_id is None, problems=problems,
                                    inbox=form.get("inbox", ""))  # fmt: skip
            return render(request, "edit.html", 422, **context)
        after = console.store.state(kind, new_id)
        change = console.audit.record(
            user.name, "create" if entry_id is None else "edit", kind, new_id, before, after
        )
        if form.get("inbox"):
            ids = [int(i) for i in str(form.get("inbox")).split(",") if i.strip().isdigit()]
            console.inbox.set_status(ids, "drafted", new_id)
        result = await console.publisher.rebuild_async()
    console.flash[change] = {"published": result, "warnings": [p.message for p in warnings]}
    return redirect(f"/{PATHS[kind]}/{quote(new_id)}?saved={change}")


async def _move(
    request: Request, kind: str, entry_id: str, where: str, action: str
) -> HTTPResponse:
    console = state(request)
    user = request.ctx.session.user
    async with console.write_lock:
        before = console.store.state(kind, entry_id)
        if before.state == "absent" or before.state == where:
            return redirect(f"/{PATHS[kind]}/{quote(entry_id)}")
        try:
            await asyncio.to_thread(
                console.store.apply, kind, entry_id, EntryState(where, before.file, before.data)
            )
        except ChangeRejectedError as error:
            return render(
                request, "error.html", 422, problems=[p.message for p in error.problems],
                back=f"/{PATHS[kind]}/{quote(entry_id)}",
            )  # fmt: skip
        after = console.store.state(kind, entry_id)
        change = console.audit.record(user.name, action, kind, entry_id, before, after)
        result = await console.publisher.rebuild_async()
    console.flash[change] = {"published": result, "warnings": []}
    return redirect(f"/{PATHS[kind]}/{quote(entry_id)}?saved={change}")


# ---------------------------------------------------------------------------------------------
# History
# ---------------------------------------------------------------------------------------------


def _add_history_routes(app: Sanic) -> None:
    @app.get("/history")
    @need("view")
    async def history(request: Request) -> HTTPResponse:
        return render(request, "history.html", changes=state(request).audit.recent(200))

    @app.get("/history/<change_id:int>")
    @need("view")
    async def change(request: Request, change_id: int) -> HTTPResponse:
        found = state(request).audit.get(change_id)
        if found is None:
            _ = i18n.gettext(request.ctx.ui)
            return render(request, "error.html", 404, message=_("Not found."), back="/history")
        return render(request, "change.html", change=found, base=PATHS[found.kind],
                      rows=_change_rows(found))  # fmt: skip

    @app.post("/history/<change_id:int>/revert")
    @need("edit")
    async def revert(request: Request, change_id: int) -> HTTPResponse:
        console = state(request)
        _ = i18n.gettext(request.ctx.ui)
        found = console.audit.get(change_id)
        if found is None:
            return render(request, "error.html", 404, message=_("Not found."), back="/history")
        async with console.write_lock:
            current = console.store.state(found.kind, found.entry_id)
            if (current.state, current.data) != (found.after.state, found.after.data):
                return render(
                    request, "error.html", 409,
                    message=_("This entry changed again after this change. Revert the later "
                              "changes first (newest first)."),
                    back=f"/history?entry={found.entry_id}",
                )  # fmt: skip
            try:
                await asyncio.to_thread(
                    console.store.apply, found.kind, found.entry_id, found.before
                )
            except ChangeRejectedError as error:
                return render(
                    request, "error.html", 422, problems=[p.message for p in error.problems],
                    back=f"/history/{change_id}",
                )  # fmt: skip
            after = console.store.state(found.kind, found.entry_id)
            new = console.audit.record(
                request.ctx.session.user.name, "revert", found.kind, found.entry_id, current,
                after, reverts=change_id,
            )  # fmt: skip
            result = await console.publisher.rebuild_async()
        console.flash[new] = {"published": result, "warnings": []}
        if after.state == "absent":
            return redirect("/history")
        return redirect(f"/{PATHS[found.kind]}/{quote(found.entry_id)}?saved={new}")


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for key, child in value.items():
            out.update(_flatten(child, f"{prefix}{key}."))
        return out
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return {prefix.rstrip("."): "\n".join(str(v) for v in value)}
        return {prefix.rstrip("."): "\n".join(str(v) for v in value)}
    return {prefix.rstrip("."): "" if value is None else str(value)}


def _change_rows(change: Any) -> list[tuple[str, str, str]]:
    before = _flatten(change.before.data or {})
    after = _flatten(change.after.data or {})
    keys = sorted(set(before) | set(after))
    rows = [(k, before.get(k, ""), after.get(k, "")) for k in keys if before.get(k) != after.get(k)]
    if change.before.state != change.after.state:
        rows.insert(0, ("state", change.before.state, change.after.state))
    return rows


# ---------------------------------------------------------------------------------------------
# Inbox
# ---------------------------------------------------------------------------------------------


def _add_inbox_routes(app: Sanic) -> None:
    @app.get("/inbox")
    @need("view")
    async def inbox(request: Request) -> HTTPResponse:
        console = state(request)
        questions = console.inbox.questions("open")
        language = request.args.get("lang", "")
        if language:
            questions = [q for q in questions if q.language == language]
        groups = await asyncio.to_thread(group_questions, questions, console.encode)
        languages = sorted({q.language for q in console.inbox.questions("open")})
        return render(request, "inbox.html", groups=groups, language=language,
                      languages=languages, counts=console.inbox.counts())  # fmt: skip

    @app.post("/inbox/draft")
    @need("edit")
    async def draft(request: Request) -> HTTPResponse:
        ids = ",".join(i for i in str(request.form.get("ids") or "").split(",") if i.isdigit())
        return redirect(f"/faq/new?{urlencode({'inbox': ids})}")

    @app.post("/inbox/dismiss")
    @need("edit")
    async def dismiss(request: Request) -> HTTPResponse:
        ids = [int(i) for i in str(request.form.get("ids") or "").split(",") if i.isdigit()]
        state(request).inbox.set_status(ids, "dismissed")
        return redirect("/inbox")


# ---------------------------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------------------------


def _add_dashboard_routes(app: Sanic) -> None:
    @app.get("/")
    @need("view")
    async def dashboard(request: Request) -> HTTPResponse:
        console = state(request)
        _ = i18n.gettext(request.ctx.ui)
        try:
            days = max(7, min(int(request.args.get("days", 30)), 365))
        except ValueError:
            days = 30
        stats = await asyncio.to_thread(_stats, console, days)
        figures = {
            "daily": charts.daily_bars(
                stats.days,
                [(_("conversations"), stats.conversations_per_day),
                 (_("messages"), stats.messages_per_day)],
                _("Conversations and messages per day"),
            ),
            "channels": charts.horizontal_bars(stats.channels.most_common(), _("Channels")),
            "languages": charts.horizontal_bars(stats.languages.most_common(), _("Languages")),
            "topics": charts.horizontal_bars(stats.topics.most_common(), _("Top topics")),
            "answer_rate": charts.gauge(stats.answer_rate, _("Answer rate")),
            "helpfulness": charts.gauge(stats.helpfulness, _("Helpful answers")),
        }  # fmt: skip
        return render(request, "dashboard.html", stats=stats, figures=figures, days=days)


def _stats(console: ConsoleState, days: int) -> Any:
    now = time.time()
    if console._dashboard and console._dashboard[1] == days and now - console._dashboard[0] < 30:
        return console._dashboard[2]
    content, _problems = console.content()
    today = dt.date.today()
    since = dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time(),
                                dt.timezone.utc).timestamp()  # fmt: skip
    error = None
    try:
        events = read_events(tracker_store_config(console.config.endpoints), since)
    except RuntimeError as problem:
        events, error = [], str(problem)
    stats = conversation_stats(events, content, days, today)
    stats.tracker_error = error
    add_feedback(stats, console.config.feedback_db)
    add_stale(stats, content, today, console.config.stale_within_days)
    stats.inbox_open = console.inbox.counts().get("open", 0)
    console._dashboard = (now, days, stats)
    return stats


# ---------------------------------------------------------------------------------------------
# Spreadsheet
# ---------------------------------------------------------------------------------------------


def _add_spreadsheet_routes(app: Sanic) -> None:
    @app.get("/spreadsheet")
    @need("view")
    async def spreadsheet(request: Request) -> HTTPResponse:
        return render(request, "spreadsheet.html")

    @app.get("/spreadsheet/faq.csv")
    @need("view")
    async def export(request: Request) -> HTTPResponse:
        from knowledge_base.spreadsheet import export_faq_csv

        content, _problems = state(request).content()
        buffer = io.StringIO()
        if content is not None:
            export_faq_csv(content, buffer)
        name = f"haven-faq-{dt.date.today().isoformat()}.csv"
        return raw(
            ("\ufeff" + buffer.getvalue()).encode("utf-8"),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @app.post("/spreadsheet/import")
    @need("edit")
    async def import_csv(request: Request) -> HTTPResponse:
        console = state(request)
        _ = i18n.gettext(request.ctx.ui)
        upload = request.files.get("file")
        if upload is None or not upload.body:
            return render(request, "spreadsheet.html", 422,
                          problems=[_("Choose a CSV file first.")])  # fmt: skip
        async with console.write_lock:
            try:
                changes, rows, created = await asyncio.to_thread(
                    _import, console, upload.body, request.ctx.session.user.name
                )
            except ImportRefusedError as error:
                return render(request, "spreadsheet.html", 422, problems=error.problems)
            result = await console.publisher.rebuild_async()
        return render(request, "spreadsheet.html", imported=rows, created=created,
                      changes=changes, published=result)  # fmt: skip


class ImportRefusedError(Exception):
    """The spreadsheet was refused; ``problems`` says why (row by row)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _import(console: ConsoleState, body: bytes, user: str) -> tuple[int, int, int]:
    from knowledge_base.spreadsheet import SpreadsheetError, import_faq_csv

    before = {d["id"]: (f, d) for f, d in console.store.raw_entries("faq")}
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as handle:
        handle.write(body)
        path = Path(handle.name)
    try:
        rows, created, _warnings = import_faq_csv(path, console.config.content_dir)
    except SpreadsheetError as error:
        raise ImportRefusedError(error.problems) from error
    finally:
        path.unlink(missing_ok=True)
    changes = 0
    for file, data in console.store.raw_entries("faq"):
        old = before.get(data["id"])
        if old is None or old[1] != data:
            previous = EntryState("active", *old) if old else EntryState("absent")
            console.audit.record(user, "import", "faq", data["id"], previous,
                                 EntryState("active", file, data))  # fmt: skip
            changes += 1
    return changes, rows, created
