"""Eight friends ask at the same moment, with the production pacing (typing delay, spacing, the per-minute
cap's window clear): time until the last reply ÷ the time one friend alone waits. The whole product path:
BotService, the real itchat-uos client, the simulator on loopback, the real test model, the encrypted store.

The same burst with ``overlap_pacing`` off (generate, wait, send, then the next: the old serial worker) runs
in the same process as the baseline. Goal <= 2.0 with overlap.

python -m bench.bench_burst [--contacts 8] [--tokens 48]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time

import keyring

from tests.assets import smollm2_path
from wxbot.events import EventRecorder, LoginPhase, LoginState, QrCode
from wxbot.service import BotService
from wxbot.settings import Settings
from wxbot.sim import Simulator, World
from wxbot.store.memkeyring import MemoryKeyring

GOAL = 2.0
PERSONA = "You are the assistant of a small tailor shop. Answer customers politely in one or two sentences."
QUESTION = "Hello, this is customer {n}. Do you shorten trousers, and how long does it usually take?"


def _service(sim: Simulator, data_dir: str, model: str, tokens: int, overlap: bool) -> tuple[BotService, EventRecorder]:
    """A logged-in BotService with the default pacing (only what a benchmark must fix is set)."""
    settings = Settings(data_dir=data_dir, wechat_base_url=sim.base_url, new_contact_mode="auto",
                        persona=PERSONA, history_turns=0, max_reply_tokens=tokens, temperature=0.0,
                        overlap_pacing=overlap)
    log = EventRecorder()
    svc = BotService(settings, log)
    svc.open_store()
    svc.load_model(model)
    thread = threading.Thread(target=svc.login, daemon=True)
    thread.start()
    log.wait_for(lambda e: isinstance(e, QrCode), timeout=30)
    sim.scan()
    sim.confirm()
    log.wait_for(lambda e: isinstance(e, LoginState) and e.state == LoginPhase.LOGGED_IN, timeout=30)
    thread.join(30)
    return svc, log


def _round(model: str, contacts: int, tokens: int, overlap: bool) -> float:
    """Seconds from the moment ``contacts`` friends ask until the last of them has its reply."""
    world = World()
    for i in range(contacts):
        world.add_friend(f"c{i}", f"客户{i}")
    with Simulator(world, hold_seconds=0.5) as sim, tempfile.TemporaryDirectory() as data_dir:
        svc, _ = _service(sim, data_dir, model, tokens, overlap)
        try:
            start = time.time()
            with sim.state.cond:  # all at the same moment
                for i in range(contacts):
                    sim.inject(f"c{i}", QUESTION.format(n=i + 1))
            out = sim.wait_outbox(contacts, timeout=600)
            assert sorted(o["to_id"] for o in out) == sorted(f"c{i}" for i in range(contacts)), out
            return max(o["time"] for o in out) - start
        finally:
            svc.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=8)
    parser.add_argument("--tokens", type=int, default=48)
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())  # never the machine's keychain
    model = str(smollm2_path())
    single = _round(model, 1, args.tokens, overlap=True)
    burst = _round(model, args.contacts, args.tokens, overlap=True)
    serial = _round(model, args.contacts, args.tokens, overlap=False)
    print(f"one friend alone: {single:.1f} s until the reply")
    print(f"{args.contacts} at once, overlap on : last reply after {burst:.1f} s  ratio {burst / single:.2f}")
    print(f"{args.contacts} at once, serial     : last reply after {serial:.1f} s  ratio {serial / single:.2f}")
    verdict = "PASS" if burst / single <= GOAL else "FAIL"
    print(f"burst ratio {burst / single:.2f} (goal <= {GOAL}; serial {serial / single:.2f}) {verdict}")


if __name__ == "__main__":
    main()
