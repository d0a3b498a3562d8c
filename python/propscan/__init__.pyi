# Type stubs of the propscan package (docs/python.md).
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal, NamedTuple, Optional, Union, overload

from ._propscan import Error as Error
from ._propscan import Result as Result
from ._propscan import Span as Span

__version__: str

Article = Union[str, bytes, Mapping[str, Any]]

class Technique(NamedTuple):
    label: str
    name: str
    definition: str

def techniques() -> list[Technique]: ...
def default_model_path() -> str: ...
def set_compute_threads(threads: int) -> None: ...
def spans_frame(results: Iterable[Union[Result, Error]]) -> Any: ...  # pandas.DataFrame

class Analyzer:
    model_path: str
    def __init__(self, model: Optional[Union[str, os.PathLike[str]]] = None,
                 threshold: Optional[float] = None) -> None: ...
    @property
    def threshold(self) -> float: ...
    def analyze(self, text: Union[str, bytes], id: Optional[Union[str, int]] = None, title: Optional[str] = None,
                source: Optional[str] = None, date: Optional[str] = None, url: Optional[str] = None) -> Result: ...
    @overload
    def analyze_many(self, items: Iterable[Article], threads: Optional[int] = None,
                     errors: Literal["raise"] = "raise") -> Iterator[Result]: ...
    @overload
    def analyze_many(self, items: Iterable[Article], threads: Optional[int] = None, *,
                     errors: Literal["yield"]) -> Iterator[Union[Result, Error]]: ...
    def spans_frame(self, results: Iterable[Union[Result, Error]]) -> Any: ...  # pandas.DataFrame

class IngestReport(NamedTuple):
    done: int
    added: int
    reanalysed: int
    unchanged: int
    failed: int
    failures: list[tuple[str, str]]

class SearchHit(NamedTuple):
    id: str
    title: Optional[str]
    source: Optional[str]
    published: Optional[str]
    propaganda_score: float
    spans: int
    snippet: str
    matches: list[tuple[int, int]]
    snippet_cut_before: bool
    snippet_cut_after: bool

class TopicInfo(NamedTuple):
    name: str
    query: Optional[str]
    articles: int

Dimension = Literal["source", "day", "week", "month", "technique", "topic"]
PathLike = Union[str, bytes, os.PathLike[str]]

class Store:
    location: str
    def __init__(self, path_or_url: Union[str, os.PathLike[str]], create: bool = False) -> None: ...
    def __enter__(self) -> Store: ...
    def __exit__(self, *exc: Any) -> None: ...
    def close(self) -> None: ...
    @property
    def schema_version(self) -> int: ...
    def ingest(self, items_or_paths: Union[PathLike, Iterable[Union[PathLike, Mapping[str, Any]]]],
               analyzer: Optional[Analyzer] = None, threads: Optional[int] = None, reanalyse: bool = False,
               jsonl: bool = False, batch: int = 100) -> IngestReport: ...
    def stats(self, by: Union[Dimension, Iterable[Dimension], None] = None, source: Optional[str] = None,
              topic: Optional[str] = None, since: Optional[str] = None, until: Optional[str] = None,
              top: int = 3) -> Any: ...  # pandas.DataFrame
    def stats_dict(self, by: Union[Dimension, Iterable[Dimension], None] = None, source: Optional[str] = None,
                   topic: Optional[str] = None, since: Optional[str] = None, until: Optional[str] = None,
                   top: int = 3) -> dict[str, Any]: ...
    def search(self, query: str, limit: int = 20) -> list[SearchHit]: ...
    def add_topic(self, name: str, query: str) -> int: ...
    def remove_topic(self, name: str) -> None: ...
    def topics(self) -> list[TopicInfo]: ...
    def counts(self) -> dict[str, int]: ...
    def failures(self) -> list[tuple[str, str]]: ...
