"""``souffleur serve``, ``souffleur replay`` and ``souffleur demo``: the live service from the terminal."""

from __future__ import annotations

import os
import random
import threading
import time
from pathlib import Path
from typing import Annotated

import typer

from assistant.api.log_filter import server_log_config
from assistant.cli.support import console, errors, fail, load_settings, progress_bar, user_errors
from assistant.replay.call_scripts import CallScript, CallScriptError, load_call_scripts
from assistant.replay.http_replayer import HttpCallReplayer, OpenedReplayCall, ReplayError
from assistant.settings import PROJECT_ROOT, Settings

DEMO_CALLS = PROJECT_ROOT / "demo" / "calls" / "dev.jsonl"
DEMO_CALL_IDS = ("bottrop-01", "duisburg-01", "dinslaken-10")


def _app(settings: Settings, progress: bool = True) -> object:
    """The FastAPI app with its service built here (so the index build shows a progress bar)."""
    from assistant.api.app import create_app
    from assistant.api.security import MissingTokenError
    from assistant.wiring import build_call_service

    try:
        with user_errors():
            if progress:
                with progress_bar("Index prüfen / aufbauen") as update:
                    service = build_call_service(settings, progress=update)
            else:
                service = build_call_service(settings)
            return create_app(settings, service=service)
    except MissingTokenError as exc:
        fail(str(exc))


def socket_frame_limit(settings: Settings) -> int:
    """Frames up to this size reach the socket handler, which answers those above
    ``max_body_bytes`` with an error message (uvicorn closes larger ones with 1009)."""
    return max(4 * settings.max_body_bytes, 1 << 20)


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


def serve(
    host: Annotated[str | None, typer.Option("--host", help="Interface to bind (default from settings)")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default from settings)")] = None,
) -> None:
    """Run the live call service (FastAPI under uvicorn)."""
    import uvicorn

    _private_files()
    settings = load_settings()
    app = _app(settings)
    bind_host, bind_port = host or settings.host, port or settings.port
    console.print(f"[green]✓[/] Souffleur on http://{bind_host}:{bind_port} (API docs: /docs); {_token_hint(settings)}")
    # No access log: its lines would carry search queries. Every handler scrubs tokens (the socket
    # handshake line shows the query string). Requests are counted by route template in /metrics.
    uvicorn.run(
        app,  # type: ignore[arg-type]
        host=bind_host,
        port=bind_port,
        ws_max_size=socket_frame_limit(settings),
        log_config=server_log_config(_secrets(settings)),
        log_level="info",
        access_log=False,
    )


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
    settings = load_settings()
    base = server or f"http://{settings.host}:{settings.port}"
    try:
        scripts = load_call_scripts(file)
    except CallScriptError as exc:
        fail(str(exc))
    if call:
        unknown = sorted(set(call) - {s.id for s in scripts})
        if unknown:
            fail(f"no call {', '.join(unknown)} in {file}")
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
    console.print(f"Seitenleiste: [link={opened.sidebar_url}]{opened.sidebar_url}[/link]", soft_wrap=True)
    for speaker, text in script.turns:
        time.sleep(pace)
        reply = replayer.say(opened.call_id, speaker, text)
        who = "Anrufer" if speaker == "caller" else "Agent  "
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
) -> None:
    """Start the assistant on the demo knowledge base and play demo calls into it (several cities):
    open the printed sidebar links to watch suggestions appear live."""
    import uvicorn

    _private_files()
    settings = load_settings()
    app = _app(settings)
    bind_port = port or settings.port
    base = f"http://{settings.host}:{bind_port}"
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=settings.host,
        port=bind_port,
        log_level="warning",
        access_log=False,
        log_config=server_log_config(_secrets(settings)),
        ws_max_size=socket_frame_limit(settings),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            fail(f"The server could not start on {base} (is the port in use? try --port)")
        time.sleep(0.05)
    console.print(f"[green]✓[/] Souffleur läuft auf {base} (API: {base}/docs)")
    scripts = {s.id: s for s in load_call_scripts(DEMO_CALLS)}
    replayer = HttpCallReplayer(base, _read_token(settings, None))
    try:
        opened = [replayer.open(scripts[i]) for i in DEMO_CALL_IDS]
        console.print("Demo-Anrufe – Seitenleisten im Browser öffnen:")
        for call in opened:
            console.print(f"  {call.script.city:10} {call.sidebar_url}", soft_wrap=True, highlight=False)
        time.sleep(wait)
        _play_interleaved(replayer, opened, pace)
    except ReplayError as exc:
        errors.print(str(exc))
    finally:
        replayer.close()
    if once:
        server.should_exit = True
        thread.join(timeout=10)
        return
    console.print(
        "Demo-Anrufe fertig. Der Server läuft weiter (Strg+C beendet); weitere Anrufe mit `souffleur replay`."
    )
    try:
        while thread.is_alive():
            thread.join(timeout=0.5)
    except KeyboardInterrupt:
        server.should_exit = True


def _play_interleaved(replayer: HttpCallReplayer, calls: list[OpenedReplayCall], pace: float) -> None:
    """Turns of the demo calls alternate, as if the agents took calls in parallel."""
    positions = dict.fromkeys(range(len(calls)), 0)
    rng = random.Random(int(os.environ.get("SOUFFLEUR_DEMO_SEED", "7")))
    while positions:
        n = rng.choice(sorted(positions))
        call = calls[n]
        speaker, text = call.script.turns[positions[n]]
        time.sleep(pace)
        reply = replayer.say(call.call_id, speaker, text)
        label = "Anrufer" if speaker == "caller" else "Agent"
        console.print(f"[bold]{call.script.city:10}[/] [dim]{label}:[/] {text}", highlight=False)
        for suggestion in reply.get("suggestions", []):
            if suggestion.get("new"):
                console.print(f"{'':10} [green]→ {suggestion['title']}[/]: {suggestion['answer']}", highlight=False)
        positions[n] += 1
        if positions[n] >= len(call.script.turns):
            del positions[n]
            replayer.end(call.call_id)
