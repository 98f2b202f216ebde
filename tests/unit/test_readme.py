"""The README's configuration tables stay true: every setting the code reads is documented."""

from dataclasses import fields
from pathlib import Path

from airq.config import Settings
from airq.worker.options import PREFIX, WorkerOptions

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_every_setting_is_in_the_readme():
    names = [f"AIRQ_{f.name.upper()}" for f in fields(Settings)]
    names += [PREFIX + f.name.upper() for f in fields(WorkerOptions)]
    missing = [name for name in names if f"`{name}`" not in README]
    assert missing == []


def test_the_two_commands_are_in_the_readme():
    assert "make run" in README and "make test" in README
