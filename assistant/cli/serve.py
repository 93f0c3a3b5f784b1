"""``souffleur serve``, ``souffleur replay`` and ``souffleur demo``: the live service from the terminal."""

from __future__ import annotations

import asyncio
import os
import random
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.api.log_filter import server_log_config
from assistant.cli.support import console, errors, fail, load_settings, port_is_free, progress_bar, user_errors
from assistant.replay.call_scripts import CallScript, CallScriptError, load_call_scripts
from assistant.settings import PROJECT_ROOT, Settings

if TYPE_CHECKING:  # the HTTP client (httpx) is imported only by the commands that play calls
    from assistant.replay.http_replayer import HttpCallReplayer, OpenedReplayCall
    from assistant.replay.simulated_agent import SimulatedAgent

DEMO_CALLS = PROJECT_ROOT / "demo" / "calls" / "dev.jsonl"
# Calls about matters the demo knowledge base does not cover (trees, rats, library cards): replayed after
# the live demo calls so that the gaps page has something to show.
DEMO_UNCOVERED_CALLS = PROJECT_ROOT / "demo" / "calls" / "uncovered.jsonl"
DEMO_CALL_IDS = ("bottrop-01", "duisburg-01", "dinslaken-10")


def _app(settings: Settings, progress: bool = True) -> object:
    """The FastAPI app with its service built here (so the index build shows a progress bar)."""
    from assistant.api.app import create_app
    from assistant.api.security import MissingTokenError
    from assistant.wiring import build_call_service

    try:
        with user_errors():
            if progress:
                with progress_bar("Embedding passages", waiting="Loading the model and checking the index…") as update:
                    service = build_call_service(settings, progress=update)
            else:
                service = build_call_service(settings)
            return create_app(settings, service=service)
    except MissingTokenError as exc:
        fail(str(exc))


def socket_frame_limit(settings: Settings) -> int:
    """Frames up to this size reach the socket handler, which answers those above
    ``max_body_bytes`` with an error message (uvicorn closes larger ones with 1009)."""
    return max(4 * settings.server.max_body_bytes, 1 << 20)


def _secrets(settings: Settings) -> list[str]:
    """The service and content tokens, for the log scrubber (whether configured or generated)."""
    from assistant.api.security import CONTENT_TOKEN_FILE, TOKEN_FILE

    found = [t.get_secret_value() for t in (settings.api_token, settings.content_token) if t]
    for name in (TOKEN_FILE, CONTENT_TOKEN_FILE):
        path = settings.data_dir / name
        if path.is_file():
            found.append(path.read_text().strip())
    return found


def _private_files() -> None:
    """Every file the server writes (database, WAL, tokens, index) is readable only by its owner."""
    os.umask(0o077)


def _token_hint(settings: Settings) -> str:
    if settings.api_token:
        return "service token: from SOUFFLEUR_API_TOKEN"
    return f"service token (development): {settings.data_dir / 'api-token'}"


def _require_free_port(host: str, port: int) -> None:
    if not port_is_free(host, port):
        fail(f"Port {port} on {host} is in use; stop what runs there or choose another one with --port")


KEEP_ALIVE_SECONDS = 30


def _uvicorn_config(app: object, settings: Settings, host: str, port: int, log_level: str) -> object:
    import uvicorn

    # No access log: its lines would carry sidebar tokens and search queries. Requests are counted and
    # timed by route template in /metrics instead.
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        # Every handler scrubs tokens (the socket handshake line shows the query string).
        log_config=server_log_config(_secrets(settings)),
        ws_max_size=socket_frame_limit(settings),
        # Sidebar events are a few KB on a local network: compressing each one cost the event loop
        # more than sending it.
        ws_per_message_deflate=False,
        # An integration posts a call's snippets over kept-alive connections. With uvicorn's 5 s, equal to
        # httpx's own keep-alive expiry, a connection could be closed by the server just as the client
        # reused it: the POST failed with a read error (seen under load).
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )


def serve(
    host: Annotated[str | None, typer.Option("--host", help="Interface to bind (default from settings)")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default from settings)")] = None,
) -> None:
    """Run the live call service (FastAPI under uvicorn)."""
    import uvicorn

    _private_files()
    settings = load_settings()
    bind_host, bind_port = host or settings.server.host, port or settings.server.port
    _require_free_port(bind_host, bind_port)
    app = _app(settings)
    server = uvicorn.Server(_uvicorn_config(app, settings, bind_host, bind_port, "info"))  # type: ignore[arg-type]
    message = f"[green]✓[/] Souffleur on http://{bind_host}:{bind_port} (API docs: /docs); {_token_hint(settings)}"
    run_announced(server, message)


def run_announced(server: object, message: str) -> None:
    """Run ``server`` until it stops, on the event loop uvicorn chooses (``loop="auto"``: uvloop, which
    is installed, else asyncio), printing ``message`` once it listens. (``asyncio.run`` would always
    take asyncio's own loop: before round 8 the service never ran on uvloop.)"""
    import uvicorn

    assert isinstance(server, uvicorn.Server)
    with asyncio.Runner(loop_factory=server.config.get_loop_factory()) as runner:
        runner.run(_serve_announced(server, message))


async def _serve_announced(server: object, message: str) -> None:
    """Run the server and print ``message`` only once it listens."""
    import uvicorn

    assert isinstance(server, uvicorn.Server)

    async def announce() -> None:
        while not server.started:
            await asyncio.sleep(0.05)
        console.print(message, highlight=False)

    announcer = asyncio.create_task(announce())
    try:
        await server.serve()
    finally:
        announcer.cancel()


def _read_token(settings: Settings, token: str | None) -> str:
    if token:
        return token
    if settings.api_token:
        return settings.api_token.get_secret_value()
    path = settings.data_dir / "api-token"
    if path.is_file():
        return path.read_text().strip()
    fail(f"No service token: pass --token, set SOUFFLEUR_API_TOKEN, or start the server once here ({path})")


def replay(
    file: Annotated[Path, typer.Argument(help="JSONL call scripts")],
    server: Annotated[str, typer.Option("--server", help="Base URL of the running server")] = "",
    token: Annotated[str | None, typer.Option("--token", help="Service token (default: settings/data folder)")] = None,
    pace: Annotated[float, typer.Option("--pace", min=0, help="Seconds between turns")] = 1.0,
    call: Annotated[list[str] | None, typer.Option("--call", help="Only these call ids (repeatable)")] = None,
    keep_open: Annotated[bool, typer.Option("--keep-open", help="Do not end the calls")] = False,
) -> None:
    """Play call scripts into a running server, printing sidebar URLs and what was suggested."""
    from assistant.replay.http_replayer import HttpCallReplayer, ReplayError

    settings = load_settings()
    base = server or f"http://{settings.server.host}:{settings.server.port}"
    try:
        scripts = load_call_scripts(file)
    except CallScriptError as exc:
        fail(str(exc))
    if call:
        unknown = sorted(set(call) - {s.id for s in scripts})
        if unknown:
            fail(f"no call {', '.join(unknown)} in {file}; its calls: {', '.join(s.id for s in scripts)}")
        scripts = [s for s in scripts if s.id in call]
    replayer = HttpCallReplayer(base, _read_token(settings, token))
    try:
        for script in scripts:
            _play(replayer, script, pace, keep_open)
    except ReplayError as exc:
        fail(str(exc))
    finally:
        replayer.close()


def _play(replayer: HttpCallReplayer, script: CallScript, pace: float, keep_open: bool) -> None:
    opened = replayer.open(script)
    console.rule(f"{script.id} ({script.city})")
    console.print(f"Sidebar: [link={opened.sidebar_url}]{opened.sidebar_url}[/link]", soft_wrap=True)
    for speaker, text in script.turns:
        time.sleep(pace)
        reply = replayer.say(opened.call_id, speaker, text)
        who = "Caller" if speaker == "caller" else "Agent "
        console.print(f"[dim]{who}:[/] {text}", highlight=False)
        for suggestion in reply.get("suggestions", []):
            if suggestion.get("new"):
                console.print(
                    f"   [green]→ {suggestion['title']}[/] ({suggestion['score']:.2f}): {suggestion['answer']}",
                    highlight=False,
                )
    if not keep_open:
        replayer.end(opened.call_id)


def demo(
    port: Annotated[int | None, typer.Option("--port", help="Port (default from settings)")] = None,
    pace: Annotated[float, typer.Option("--pace", min=0, help="Seconds between turns of the demo calls")] = 2.5,
    wait: Annotated[float, typer.Option("--wait", min=0, help="Seconds to open the sidebars before calls start")] = 8,
    once: Annotated[bool, typer.Option("--once", help="Stop after the demo calls instead of serving on")] = False,
    feedback: Annotated[
        bool,
        typer.Option(
            "--feedback/--no-feedback",
            help="Replay the other demo calls with simulated agent feedback, for the gaps page",
        ),
    ] = True,
) -> None:
    """Start the assistant on the demo knowledge base and play demo calls into it (several cities):
    open the printed sidebar links to watch suggestions appear live, then the gaps page link."""
    import uvicorn

    from assistant.replay.http_replayer import HttpCallReplayer, ReplayError
    from assistant.replay.simulated_agent import SimulatedAgent

    _private_files()
    settings = load_settings()
    bind_port = port or settings.server.port
    base = f"http://{settings.server.host}:{bind_port}"
    _require_free_port(settings.server.host, bind_port)
    app = _app(settings)
    server = uvicorn.Server(_uvicorn_config(app, settings, settings.server.host, bind_port, "warning"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            fail(f"The server could not start on {base} (is the port in use? try --port)")
        time.sleep(0.05)
    console.print(f"[green]✓[/] Souffleur runs on {base} (API docs: {base}/docs)", highlight=False)
    scripts = {s.id: s for s in load_call_scripts(DEMO_CALLS)}
    replayer = HttpCallReplayer(base, _read_token(settings, None))
    agent = SimulatedAgent(replayer)
    try:
        opened = [replayer.open(scripts[i]) for i in DEMO_CALL_IDS]
        console.print("Demo calls: open the sidebars in a browser:")
        for call in opened:
            console.print(f"  {call.script.city:10} {call.sidebar_url}", soft_wrap=True, highlight=False)
        time.sleep(wait)
        pushed = _play_interleaved(replayer, opened, pace)
        if feedback:
            for call in opened:
                agent.react(call.call_id, call.script, pushed[call.call_id])
            others = [s for s in scripts.values() if s.id not in DEMO_CALL_IDS]
            _replay_with_feedback(replayer, agent, [*others, *load_call_scripts(DEMO_UNCOVERED_CALLS)])
    except ReplayError as exc:
        errors.print(str(exc))
    finally:
        replayer.close()
    gaps = _gaps_link(settings, base)
    if gaps:
        console.print(f"Gaps page for the content teams: {gaps}", soft_wrap=True, highlight=False)
    if once:
        server.should_exit = True
        thread.join(timeout=10)
        return
    console.print("Demo calls done. The server keeps running (Ctrl+C stops it); more calls: `souffleur replay`.")
    try:
        while thread.is_alive():
            thread.join(timeout=0.5)
    except KeyboardInterrupt:
        server.should_exit = True


def _gaps_link(settings: Settings, base: str) -> str | None:
    from assistant.api.security import MissingTokenError, resolve_content_token

    configured = settings.content_token.get_secret_value() if settings.content_token else None
    try:
        token = resolve_content_token(configured, settings.environment, settings.data_dir)
    except MissingTokenError:
        return None
    return f"{(settings.server.public_url or base).rstrip('/')}/gaps?token={token}"


def _replay_with_feedback(replayer: HttpCallReplayer, agent: SimulatedAgent, scripts: list[CallScript]) -> None:
    """Further calls without pauses, each answered by the simulated agent (the gaps page's evidence)."""
    with progress_bar("Replaying more demo calls with simulated agent feedback") as update:
        for done, script in enumerate(scripts):
            update(done, len(scripts))
            call = replayer.open(script)
            pushed: list[str] = []
            for speaker, text in script.turns:
                reply = replayer.say(call.call_id, speaker, text)
                pushed.extend(s["article_id"] for s in reply.get("suggestions", []) if s.get("new"))
            agent.react(call.call_id, script, pushed)
            replayer.end(call.call_id)
        update(len(scripts), len(scripts))


def _play_interleaved(replayer: HttpCallReplayer, calls: list[OpenedReplayCall], pace: float) -> dict[str, list[str]]:
    """Turns of the demo calls alternate, as if the agents took calls in parallel. Returns the articles
    pushed in each call."""
    positions = dict.fromkeys(range(len(calls)), 0)
    pushed: dict[str, list[str]] = {call.call_id: [] for call in calls}
    rng = random.Random(int(os.environ.get("SOUFFLEUR_DEMO_SEED", "7")))
    while positions:
        n = rng.choice(sorted(positions))
        call = calls[n]
        speaker, text = call.script.turns[positions[n]]
        time.sleep(pace)
        reply = replayer.say(call.call_id, speaker, text)
        label = "Caller" if speaker == "caller" else "Agent"
        console.print(f"[bold]{call.script.city:10}[/] [dim]{label}:[/] {text}", highlight=False)
        for suggestion in reply.get("suggestions", []):
            if suggestion.get("new"):
                pushed[call.call_id].append(suggestion["article_id"])
                console.print(f"{'':10} [green]→ {suggestion['title']}[/]: {suggestion['answer']}", highlight=False)
        positions[n] += 1
        if positions[n] >= len(call.script.turns):
            del positions[n]
            replayer.end(call.call_id)
    return pushed
