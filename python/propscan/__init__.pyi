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
