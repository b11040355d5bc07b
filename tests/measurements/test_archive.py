"""Safe extraction: good archives come out whole, hostile ones are refused and leave nothing behind."""

from __future__ import annotations

import io
import os
import stat
import struct
import tarfile
import zipfile

import pytest

from app.measurements.archive import UnsafeArchive, extract_batch


@pytest.fixture
def target(tmp_path):
    path = tmp_path / "out"
    path.mkdir()
    return path


def make_zip(path, members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def add_tar_member(tf: tarfile.TarFile, name: str, data: bytes = b"", **attributes):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in attributes.items():
        setattr(info, key, value)
    tf.addfile(info, io.BytesIO(data) if data else None)


def assert_refused(archive, target, *needles, **limits):
    with pytest.raises(UnsafeArchive) as caught:
        extract_batch(archive, target, **limits)
    for needle in needles:
        assert needle in caught.value.message
    assert list(target.iterdir()) == []  # nothing extracted, nothing left over
    return caught.value


def test_zip_extracts_nested_files(tmp_path, target):
    archive = make_zip(
        tmp_path / "ok.zip", {"batch/metadata.csv": b"item_id\n1\n", "batch/audio/a.wav": b"RIFF", "batch/empty/": b""}
    )
    batch = extract_batch(archive, target)
    assert batch.root == str(target.resolve())
    assert batch.files == ["batch/audio/a.wav", "batch/metadata.csv"]
    assert (target / "batch/audio/a.wav").read_bytes() == b"RIFF"
    assert (target / "batch/empty").is_dir()
    assert batch.to_dict()["files"] == batch.files


def test_tar_gz_extracts(tmp_path, target):
    archive = tmp_path / "ok.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        add_tar_member(tf, "batch/a.txt", b"hello")
        add_tar_member(tf, "batch", type=tarfile.DIRTYPE)
    assert extract_batch(archive, target).files == ["batch/a.txt"]
    assert (target / "batch/a.txt").read_text() == "hello"


@pytest.mark.parametrize("name", ["../evil.txt", "batch/../../evil.txt", "..\\evil.txt"])
def test_path_traversal_refused(tmp_path, target, name):
    archive = make_zip(tmp_path / "evil.zip", {"fine.txt": b"ok", name: b"owned"})
    error = assert_refused(archive, target, name, "..")
    assert error.member == name
    assert not (tmp_path / "evil.txt").exists()


@pytest.mark.parametrize("name", ["/etc/evil.txt", "C:/evil.txt"])
def test_absolute_path_refused(tmp_path, target, name):
    archive = make_zip(tmp_path / "abs.zip", {"fine.txt": b"ok", name: b"owned"})
    assert_refused(archive, target, name, "absolute path")


def test_zip_symlink_member_refused(tmp_path, target):
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("fine.txt", b"ok")
        info = zipfile.ZipInfo("batch/passwd")
        info.create_system = 3  # Unix, so the mode bits are meaningful
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    assert_refused(archive, target, "'batch/passwd'", "symbolic link")


@pytest.mark.parametrize(
    "kind, attributes, words",
    [
        ("symlink", {"type": tarfile.SYMTYPE, "linkname": "/etc/passwd"}, "symbolic link"),
        ("hardlink", {"type": tarfile.LNKTYPE, "linkname": "fine.txt"}, "hard link"),
        ("device", {"type": tarfile.CHRTYPE, "devmajor": 1, "devminor": 3}, "special file"),
        ("fifo", {"type": tarfile.FIFOTYPE}, "special file"),
    ],
)
def test_tar_links_and_devices_refused(tmp_path, target, kind, attributes, words):
    archive = tmp_path / f"{kind}.tar"
    with tarfile.open(archive, "w") as tf:
        add_tar_member(tf, "fine.txt", b"ok")
        add_tar_member(tf, f"batch/{kind}", **attributes)
    assert_refused(archive, target, f"'batch/{kind}'", words)


def test_zip_bomb_refused_before_writing(tmp_path, target):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("batch/readme.txt", b"innocent")
        with zf.open("batch/zeros.bin", "w") as member:
            chunk = bytes(1 << 20)
            for _ in range(50):  # 50 MB of zeros compress to about 50 KB
                member.write(chunk)
    assert os.path.getsize(archive) < 1 << 20
    assert_refused(archive, target, "'batch/zeros.bin'", "decompression bomb")


def test_too_many_files_refused(tmp_path, target):
    archive = make_zip(tmp_path / "many.zip", {f"item_{i:03d}.txt": b"x" for i in range(11)})
    assert_refused(archive, target, "more than 10 entries", "item_010.txt", max_files=10)
    assert extract_batch(archive, target, max_files=11).files[-1] == "item_010.txt"


def test_declared_total_over_limit_refused(tmp_path, target):
    archive = make_zip(
        tmp_path / "big.zip", {"a.bin": os.urandom(3000), "b.bin": os.urandom(3000)}, compression=zipfile.ZIP_STORED
    )
    assert_refused(archive, target, "more than", "'b.bin'", max_total_bytes=5000)


def test_forged_member_cleans_up_what_was_written(tmp_path, target):
    """A header that lies (here: a wrong CRC) is only noticed while extracting; earlier files are removed."""
    archive = make_zip(
        tmp_path / "forged.zip",
        {"first.txt": b"written first", "second.bin": os.urandom(5000)},
        compression=zipfile.ZIP_STORED,
    )
    raw = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("second.bin")
    central = raw.rfind(b"PK\x01\x02")  # the last central-directory entry is second.bin's
    for crc_offset in (info.header_offset + 14, central + 16):
        (crc,) = struct.unpack_from("<I", raw, crc_offset)
        struct.pack_into("<I", raw, crc_offset, crc ^ 0xFFFFFFFF)
    archive.write_bytes(bytes(raw))
    assert_refused(archive, target, "'second.bin'", "could not be extracted")


def test_duplicate_member_refused(tmp_path, target):
    archive = tmp_path / "dupe.zip"
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.txt", b"one")
        zf.writestr("a.txt", b"two")
    assert_refused(archive, target, "'a.txt'", "twice")


@pytest.mark.parametrize("content", [b"item_id,file\n1,a.wav\n", b""])
def test_not_an_archive_refused(tmp_path, target, content):
    archive = tmp_path / "batch.zip"
    archive.write_bytes(content)
    assert_refused(archive, target, "not a zip or tar archive")


def test_target_created_and_removed_on_refusal(tmp_path):
    archive = make_zip(tmp_path / "evil.zip", {"../evil.txt": b"x"})
    target = tmp_path / "new" / "out"
    with pytest.raises(UnsafeArchive):
        extract_batch(archive, target)
    assert not target.exists()


def test_non_empty_target_is_a_programming_error(tmp_path, target):
    (target / "already.txt").write_text("x")
    with pytest.raises(ValueError, match="not empty"):
        extract_batch(make_zip(tmp_path / "ok.zip", {"a.txt": b"x"}), target)


def test_tar_gz_bomb_refused(tmp_path, target):
    archive = tmp_path / "bomb.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        add_tar_member(tf, "batch/zeros.bin", bytes(50 << 20))
    assert_refused(archive, target, "expands", "decompression bomb")


def test_truncated_tar_gz_refused(tmp_path, target):
    archive = tmp_path / "cut.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        add_tar_member(tf, "a.bin", os.urandom(200_000))
        add_tar_member(tf, "b.bin", os.urandom(200_000))
    archive.write_bytes(archive.read_bytes()[:250_000])
    assert_refused(archive, target, "damaged")
