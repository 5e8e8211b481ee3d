"""How a command refuses: one Chinese line on stderr and exit 2, for a user error and for a file it reads or writes
that will not do (checked before any work)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import typer


def fail(message: str) -> None:
    """A user error: one Chinese line on stderr, exit status 2."""
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(2)


@contextlib.contextmanager
def refused(*errors: type[Exception]) -> Iterator[None]:
    """These errors are the user's: their message instead of a traceback (``fail``)."""
    try:
        yield
    except errors as exc:
        fail(str(exc))


def readable_file(path: Path | None) -> Path | None:
    """Typer callback for an input file: it must exist, be a file, be readable and not be empty."""
    if path is None:
        return None
    if not path.exists():
        fail(f"找不到文件 {path}")
    elif not path.is_file():
        fail(f"无法读取文件 {path}（是文件夹，不是文件）")
    elif not os.access(path, os.R_OK):
        fail(f"无法读取文件 {path}（没有读取权限）")
    elif path.stat().st_size == 0:
        fail(f"{path.name} 是空文件")
    return path


def writable_file(path: Path | None) -> Path | None:
    """Typer callback for an output file: its folder must exist and be writable, and it must not be a folder."""
    if path is None:
        return None
    folder = path.absolute().parent
    if path.is_dir():
        fail(f"{path} 是文件夹，请给出要写出的文件名")
    elif not folder.is_dir():
        fail(f"无法写出 {path}：文件夹 {folder} 不存在")
    elif not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        fail(f"无法写出 {path}：没有写入权限")
    return path
