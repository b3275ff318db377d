import subprocess
import sys

import pytest

from wxbot.core.instance import InstanceLock
from wxbot.errors import AlreadyRunningError

HOLD = """
import sys, time
from pathlib import Path
from wxbot.core.instance import InstanceLock
lock = InstanceLock(Path(sys.argv[1])); lock.acquire(); print("held", flush=True); time.sleep(60)
"""


def test_second_instance_on_same_data_dir_is_refused(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        with pytest.raises(AlreadyRunningError, match="already running"):
            InstanceLock(tmp_path).acquire()
        other = InstanceLock(tmp_path / "other")  # another data dir is fine
        other.acquire()
        other.release()
    finally:
        child.kill()
        child.wait()
    lock = InstanceLock(tmp_path)  # the OS freed the dead process's lock
    lock.acquire()
    assert lock.held
    lock.release()
