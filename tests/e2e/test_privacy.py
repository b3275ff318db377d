"""Nothing personal on disk unencrypted, through the whole app: a marker planted in messages, a contact's
name, the persona and an FAQ answer never appears in the database files, the WeChat session or the logs."""

from __future__ import annotations

from loguru import logger

from wxbot.logs import setup_logging
from wxbot.sim import Simulator
from wxbot.sim.world import World

MARKER = "MARKER7Q"


def test_marker_never_reaches_disk_in_plain_text(data_dir, test_model_path):
    from tests.e2e.conftest import Harness

    world = World()
    world.add_friend("vip", f"贵宾{MARKER}客户", remark=f"备注{MARKER}")
    log_file = setup_logging(data_dir / "logs", "DEBUG", console=False)
    with Simulator(world, hold_seconds=0.5) as sim:
        h = Harness(sim, data_dir, test_model_path,
                    faq_rules=[{"match": "contains", "pattern": "价格", "answer": f"价格{MARKER}十元"}])
        try:
            svc = h.start()
            svc.apply_settings(svc.settings.replace(persona=f"你是{MARKER}店的助理"))
            ids = [sim.inject("vip", f"价格多少 {MARKER}"), sim.inject("vip", f"你好 {MARKER}，在吗")]
            h.settle(ids)
            assert MARKER in sim.wait_outbox(2)[0]["text"]  # it really went through the app
            assert any(MARKER in m.text for m in svc.history(h.contact_id(f"备注{MARKER}")))
            files = [data_dir / name for name in ("wxbot.db", "wxbot.db-wal", "wxbot.db-shm", "session.bin",
                                                  "settings.json")]
            assert (data_dir / "wxbot.db-wal").exists() and (data_dir / "session.bin").exists()
            open_files = {p: p.read_bytes() for p in files if p.exists()}
        finally:
            h.stop()
    closed_files = {p: p.read_bytes() for p in files if p.exists()}
    logger.remove()  # flush and release the file sink before reading it (and before tmp_path goes)
    logs = b"".join(p.read_bytes() for p in log_file.parent.glob("*.log*"))
    assert logs  # the logs were written
    needles = [MARKER.encode(), MARKER.encode("utf-16-le")]
    for name, blob in [*open_files.items(), *closed_files.items(), ("logs", logs)]:
        for needle in needles:
            assert needle not in blob, name
