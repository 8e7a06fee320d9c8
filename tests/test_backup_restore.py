"""A restore from the documented backup set (docs/operations.md, "Backup and restore") works:
the open survey links and the suggestion-box QR codes of the salon still open, and the photos
are there.

A salon is made in a data folder of its own by one process; its backup set is taken as the
documentation says; it is restored into a fresh data folder and a second process, whose settings
read everything (the secret key included) from the restored folder, follows the links. Run as
subprocesses: the settings module reads the environment and the key file once, at import. The
database of the test run is not used (SQLite in the salon's own folder), so this runs once, in
the SQLite run of the suite."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: The salon: an open survey link from a visit, the branch's suggestion box, a photo.
SALON = """
import io, json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from tests.factories import branch_make, business_make, customer_make, persona_make
from tests.feedback.helpers import survey_link
from liuke.customers.services import customer_photo_add
from liuke.feedback import links, services
business = business_make(name="丽颜美容")
branches = {"a": branch_make(business=business, code="JA"), "b": branch_make(business=business)}
owner = persona_make("owner", business=business, branches=branches)
customer = customer_make(
    actor=owner, branch=branches["a"], name="林小雨", marketing_consent=True, photo_consent=True
)
image = io.BytesIO()
Image.new("RGB", (8, 8), "red").save(image, format="JPEG")
photo = customer_photo_add(
    actor=owner,
    customer_id=customer.pk,
    image=SimpleUploadedFile("p.jpg", image.getvalue(), content_type="image/jpeg"),
    kind="before",
)
box = services.box_ensure(actor=owner, branch_id=branches["a"].pk)
survey = f"/f/s/{survey_link(customer)}/"
print(json.dumps({
    "links": {"survey": survey, "box": f"/f/b/{links.sign_box(box.token)}/"},
    "photo": photo.image.name,
}))
"""

#: Started from a restored folder: what the links answer, and whether the photo file is there.
RESTORED = """
import json, sys, django
django.setup()
from django.core.files.storage import default_storage
from django.test import Client
from django.conf import settings
from django.test.utils import override_settings, setup_test_environment
setup_test_environment()
# a real restore runs collectstatic; here the pages take their static files from the apps
override_settings(STORAGES={
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}).enable()
made = json.loads(sys.argv[1])
client = Client()
print(json.dumps({
    **{name: client.get(url).status_code for name, url in made["links"].items()},
    "photo": default_storage.exists(made["photo"]),
}))
"""


def _run(script: str, var_dir: Path, *args: str) -> Any:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "SECRET_KEY",
            "SECRET_KEY_FILE",
            "MEDIA_ROOT",
            "STATIC_ROOT",
            "SQLITE_TEST_NAME",
            "REDIS_URL",
        }
    }
    env.update(
        DJANGO_SETTINGS_MODULE="liuke.settings",
        LIUKE_VAR_DIR=str(var_dir),
        LIUKE_DEV_SECRET="1",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _backup(var_dir: Path, backup: Path) -> None:
    """The SQLite set of docs/operations.md: the database (the online backup), the secret key,
    the photos."""
    backup.mkdir()
    source = sqlite3.connect(var_dir / "liuke.sqlite3")
    target = sqlite3.connect(backup / "liuke.sqlite3")
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    shutil.copy2(var_dir / "secret_key", backup / "secret_key")
    shutil.copytree(var_dir / "media", backup / "media")


def _restore(backup: Path, var_dir: Path, *, leave_out: str = "") -> None:
    var_dir.mkdir()
    for item in ("liuke.sqlite3", "secret_key", "media"):
        if item == leave_out:
            continue
        copy = shutil.copytree if (backup / item).is_dir() else shutil.copy2
        copy(backup / item, var_dir / item)


@pytest.mark.sqlite_only
def test_a_restore_from_the_documented_set_keeps_links_and_photos(tmp_path: Path) -> None:
    salon = tmp_path / "salon"
    made = _run(SALON, salon)
    _backup(salon, tmp_path / "backup")
    shutil.rmtree(salon)  # the machine is lost

    _restore(tmp_path / "backup", tmp_path / "restored")
    answers = _run(RESTORED, tmp_path / "restored", json.dumps(made))

    assert answers == {"survey": 200, "box": 200, "photo": True}
    # the key is what keeps them: restored without it, every link is dead
    _restore(tmp_path / "backup", tmp_path / "keyless", leave_out="secret_key")
    keyless = _run(RESTORED, tmp_path / "keyless", json.dumps(made))
    assert keyless == {"survey": 404, "box": 404, "photo": True}


def test_the_documented_backup_set_names_the_key_and_the_photos() -> None:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- backup set:.*?<!-- end of backup set -->", text, re.S)
    assert found
    table = found.group(0)
    needed = [
        '.backup backup/liuke.sqlite3"',
        "pg_dump",
        "`var/secret_key`",
        "SECRET_KEY_FILE",
        "`var/media/`",
        "MEDIA_ROOT",
        "LIUKE_PUBLIC_URL",
    ]
    assert [item for item in needed if item not in table] == []
