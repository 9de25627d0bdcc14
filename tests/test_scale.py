"""Scale: extraction on local worker processes and on a real Dask scheduler gives the same bytes as a
serial build, and the per-article extraction cache extracts only what changed."""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from prefect.task_runners import ThreadPoolTaskRunner
from prefect_dask import DaskTaskRunner

import pipeline.build
from conftest import ROOT, run_cli
from pipeline.cache import FINGERPRINTED, ExtractionCache, article_key, fingerprint
from pipeline.flows import extract_all, task_runner
from pipeline.ingest import ingest_folder

ARTICLES = 30
LOG = logging.getLogger("test_scale")


def _corpus(folder: Path, n: int) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from extraction import make_article, write_corpus
    finally:
        sys.path.remove(str(ROOT / "bench"))
    write_corpus(folder, [make_article(i, 7) for i in range(n)])
    return folder


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _build(folder: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    reports = out.with_name(out.name + "-r")
    proc = run_cli("build", "--input", str(folder), "--output", str(out), "--reports", str(reports), *args)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _corpus(tmp_path_factory.mktemp("scale") / "in", ARTICLES)


@pytest.fixture(scope="module")
def serial(corpus: Path) -> Path:
    """The package built in-process, without a cache: the reference."""
    out = corpus.with_name("serial")
    _build(corpus, out, "--workers", "1", "--no-cache")
    return out


@pytest.fixture(scope="module")
def cache_dir(corpus: Path) -> Path:
    return corpus.with_name("cache")


@pytest.fixture(scope="module")
def two_workers(corpus: Path, cache_dir: Path) -> tuple[Path, str]:
    """The package built by two local worker processes, filling ``cache_dir``; and its log."""
    out = corpus.with_name("two")
    proc = _build(corpus, out, "--workers", "2", "--cache", str(cache_dir))
    return out, proc.stdout + proc.stderr


# --- the same bytes however extraction runs ----------------------------------------------------------------

def test_two_local_workers_give_the_same_bytes_and_share_one_prefect_server(serial: Path,
                                                                             two_workers: tuple[Path, str]) -> None:
    out, log = two_workers
    assert _files(out) == _files(serial)
    assert f"extracted {ARTICLES} article(s), 0 from the cache" in log
    # Tasks in the worker processes report to the build's own temporary server, never to one of their own.
    assert log.count("Starting temporary server") == 1, log[-3000:]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dask_scheduler(tmp_path: Path) -> Iterator[str]:
    """A real ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1, always torn down."""
    from distributed import Client

    dask = str(Path(sys.executable).with_name("dask"))
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": open(tmp_path / "dask.log", "wb")}  # noqa: SIM115
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              cwd=tmp_path, **quiet)]
    try:
        for _ in range(2):
            procs.append(subprocess.Popen([dask, "worker", address, "--host", "127.0.0.1", "--nworkers", "1",
                                           "--nthreads", "1", "--no-dashboard"], cwd=tmp_path, **quiet))
        deadline = time.monotonic() + 120
        while True:
            try:
                with Client(address, timeout=10) as client:
                    client.wait_for_workers(2, timeout=120)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        quiet["stderr"].close()


def test_a_real_dask_scheduler_with_two_workers_gives_the_same_bytes(corpus: Path, serial: Path,
                                                                     dask_scheduler: str) -> None:
    out = corpus.with_name("dask")
    proc = _build(corpus, out, "--dask-address", dask_scheduler, "--no-cache")
    assert f"extracted {ARTICLES} article(s), 0 from the cache" in proc.stdout + proc.stderr
    assert _files(out) == _files(serial)


# --- the extraction cache ----------------------------------------------------------------------------------

def test_adding_one_article_extracts_only_that_one(corpus: Path, serial: Path, cache_dir: Path,
                                                   two_workers: tuple[Path, str], tmp_path: Path) -> None:
    """After the two-worker build filled the cache, a rebuild with one more article extracts one article,
    and the rows of the other articles, read from the cache, are those of the serial build."""
    grown = _corpus(tmp_path / "in", ARTICLES + 1)
    assert [(p.name, p.read_bytes()) for p in sorted(corpus.glob("*.txt"))] == \
           [(p.name, p.read_bytes()) for p in sorted(grown.glob("*.txt"))][:ARTICLES]
    out = tmp_path / "grown"
    proc = _build(grown, out, "--workers", "1", "--cache", str(cache_dir))
    assert f"extracted 1 article(s), {ARTICLES} from the cache" in proc.stdout + proc.stderr
    for table in ("sources", "statistics", "events"):
        # cluster_id is derived across articles: a new report may join an old event's cluster
        before = pq.read_table(serial / "data" / f"{table}.parquet").drop_columns(
            [c for c in ("cluster_id",) if table == "events"]).to_pylist()
        after = pq.read_table(out / "data" / f"{table}.parquet").drop_columns(
            [c for c in ("cluster_id",) if table == "events"]).to_pylist()
        old = {r["source_id"] for r in pq.read_table(serial / "data" / "sources.parquet").to_pylist()}
        assert [r for r in after if r["source_id"] in old] == before
        assert len(after) > len(before) or table != "sources"


real_extract = pipeline.build.extract_article


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every article extracted (in this process), by source id."""
    seen: list[str] = []

    def counting(article, include_texts=True):  # noqa: ANN001, ANN202
        seen.append(article.source_id)
        return real_extract(article, include_texts)

    monkeypatch.setattr(pipeline.build, "extract_article", counting)
    return seen


def test_cache_extracts_new_articles_only_and_everything_after_a_lexicon_change(tmp_path: Path,
                                                                               counted: list[str]) -> None:
    articles = ingest_folder(_corpus(tmp_path / "in", 4), 2_000_000).articles
    cache = ExtractionCache(tmp_path / "cache")
    first, n = extract_all(articles[:3], True, 1, None, cache, LOG)
    assert n == 3 and len(counted) == 3
    counted.clear()
    again, n = extract_all(articles, True, 1, None, cache, LOG)
    assert n == 1 and counted == [articles[3].source_id]
    for name, table in again.items():  # rows read back from the cache are the rows extracted
        assert [r for r in table.to_pylist() if r["source_id"] != articles[3].source_id] == first[name].to_pylist()
    assert again == pipeline.build.assemble_tables([real_extract(a) for a in articles])
    # A lexicon edited: another fingerprint, so every article is extracted again.
    copy = tmp_path / "root"
    for entry in FINGERPRINTED:
        (shutil.copytree if (ROOT / entry).is_dir() else shutil.copy)(ROOT / entry, copy / entry)
    assert fingerprint(copy) == fingerprint(ROOT)
    places = copy / "schemas" / "lexicon" / "places.yaml"
    places.write_text(places.read_text(encoding="utf-8") + "\n# a comment is a change too\n", encoding="utf-8")
    changed = fingerprint(copy)
    assert changed != fingerprint(ROOT)
    counted.clear()
    _, n = extract_all(articles, True, 1, None, ExtractionCache(tmp_path / "cache", changed), LOG)
    assert n == 4 and sorted(counted) == sorted(a.source_id for a in articles)


def test_cache_key_follows_the_metadata_that_reach_the_rows(tmp_path: Path) -> None:
    article = ingest_folder(_corpus(tmp_path / "in", 1), 2_000_000).articles[0]
    key = article_key(article, True)
    assert article_key(dataclasses.replace(article), True) == key
    assert article_key(article, False) != key  # the source row's path differs
    for field, value in (("published", "2020-01-01"), ("title", "Another title"), ("language", "es"),
                         ("sha256", "0" * 64), ("source_id", "other")):
        assert article_key(dataclasses.replace(article, **{field: value}), True) != key, field


def test_an_unreadable_cache_entry_is_a_miss_and_entries_are_written_whole(tmp_path: Path) -> None:
    article = ingest_folder(_corpus(tmp_path / "in", 1), 2_000_000).articles[0]
    rows = pipeline.build.extract_article(article)
    cache = ExtractionCache(tmp_path / "cache", "f" * 64)
    assert cache.get(article, True) is None
    cache.put(article, True, rows)
    assert cache.get(article, True) == rows  # dates, floats, lists and None come back as they were
    [entry] = list((tmp_path / "cache").rglob("*.json"))
    assert [p for p in entry.parent.iterdir()] == [entry]  # no temporary file left beside it
    entry.write_text(entry.read_text(encoding="utf-8")[:-10], encoding="utf-8")  # truncated
    assert cache.get(article, True) is None
    entry.write_text('{"source": {"sha256": "another"}, "statistics": [], "events": []}', encoding="utf-8")
    assert cache.get(article, True) is None


def test_an_unwritable_cache_does_not_fail_the_build(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    articles = ingest_folder(_corpus(tmp_path / "in", 2), 2_000_000).articles
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger=LOG.name):
        tables, n = extract_all(articles, True, 1, None, ExtractionCache(blocked), LOG)
    assert n == 2 and tables["sources"]["source_id"].to_pylist() == sorted(a.source_id for a in articles)
    assert "not written" in caplog.text


# --- where extraction runs ---------------------------------------------------------------------------------

def test_task_runner_follows_workers_and_address() -> None:
    assert isinstance(task_runner(1), ThreadPoolTaskRunner)
    local = task_runner(2)
    assert isinstance(local, DaskTaskRunner) and local.address is None
    assert local.cluster_kwargs["n_workers"] == 2 and local.cluster_kwargs["processes"] is True
    if (os.cpu_count() or 1) > 1:
        assert task_runner(None).cluster_kwargs["n_workers"] == os.cpu_count()
    remote = task_runner(1, "tcp://127.0.0.1:8786")
    assert isinstance(remote, DaskTaskRunner) and remote.address == "tcp://127.0.0.1:8786"
    with pytest.raises(ValueError, match="1 or more"):
        task_runner(0)


def test_cli_refuses_zero_workers() -> None:
    proc = run_cli("build", "--workers", "0")
    assert proc.returncode == 2 and "the number of workers is 1 or more" in proc.stderr


def test_tables_assembled_chunk_by_chunk_equal_tables_assembled_at_once(tmp_path: Path) -> None:
    articles = ingest_folder(_corpus(tmp_path / "in", 5), 2_000_000).articles
    rows = [real_extract(a) for a in articles]
    chunked = pipeline.build.concat_tables([pipeline.build.assemble_tables(rows[i:i + 2]) for i in (4, 0, 2)])
    whole = pipeline.build.assemble_tables(rows)
    assert chunked == whole and all(t.column(0).num_chunks == 1 for t in chunked.values())
    assert pipeline.build.concat_tables([]) == pipeline.build.assemble_tables([])


def test_an_unreachable_dask_scheduler_fails_the_build_in_one_line(tmp_path: Path) -> None:
    import dask

    articles = ingest_folder(_corpus(tmp_path / "in", 1), 2_000_000).articles
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}), \
            pytest.raises(pipeline.build.BuildFailed, match=f"cannot reach the Dask scheduler at {address}"):
        extract_all(articles, True, None, address, None, LOG)


def test_no_cluster_is_started_for_fewer_articles_than_it_pays_for(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.flows

    articles = ingest_folder(_corpus(tmp_path / "in", 2), 2_000_000).articles
    asked: list[int | None] = []

    def recording(workers: int | None = 1, dask_address: str | None = None) -> ThreadPoolTaskRunner:
        asked.append(workers)
        return ThreadPoolTaskRunner(max_workers=1)

    monkeypatch.setattr(pipeline.flows, "task_runner", recording)
    extract_all(articles, True, None, None, None, LOG)  # one per core, but 2 articles: in-process
    extract_all(articles[:1], True, 2, None, None, LOG)  # fewer articles than workers: in-process
    extract_all(articles, True, 2, None, None, LOG)  # as many as workers: as asked
    assert asked == [1, 1, 2]


def test_each_chunk_result_is_let_go_once_the_flow_has_it() -> None:
    # Workers used to keep every chunk they extracted (and the flow every result) until the last chunk
    # was done: a finished future is now yielded once, in the order of finishing, and released when read.
    from concurrent.futures import Future

    from pipeline.flows import _completed, _take_result

    released: list[int] = []

    class Wrapped(Future):
        def __init__(self, n: int) -> None:
            super().__init__()
            self.n = n

        def release(self) -> None:
            released.append(self.n)

    class Fut:  # the part of a PrefectFuture the flow uses
        def __init__(self, n: int) -> None:
            self.wrapped_future = Wrapped(n)

        def add_done_callback(self, fn):  # noqa: ANN001, ANN202
            self.wrapped_future.add_done_callback(lambda _f: fn(self))

        def result(self) -> str:
            return self.wrapped_future.result()

    futures = [Fut(n) for n in range(3)]
    wrapped = [f.wrapped_future for f in futures]
    wrapped[2].set_result("chunk 2")  # the last chunk finishes first, the others while the flow reads it
    seen = []
    for n in _completed(futures):
        seen.append((n, _take_result(futures, n)))
        assert futures[n] is None  # the flow keeps no reference to a chunk it has read
        if n == 2:
            wrapped[1].set_result("chunk 1")
            wrapped[0].set_result("chunk 0")
    assert seen == [(2, "chunk 2"), (1, "chunk 1"), (0, "chunk 0")]
    assert released == [2, 1, 0]
