"""What command's routes take from the request: roles, the catalogue, the parser, travel times.

The long-lived objects are typed providers built once per runtime; other
contexts (the field, public tips) take the catalogue from here too.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from yanyun.auth.deps import require
from yanyun.auth.permissions import Perm
from yanyun.auth.service import Actor
from yanyun.command.catalogue import Catalogue, load_catalogue
from yanyun.command.intake import Gazetteer, LexiconParser, load_landmarks
from yanyun.core.db import Provider
from yanyun.geo.travel import GreatCircleEstimator, TravelTimeEstimator

Reader = Annotated[Actor, Depends(require(Perm.incidents_read))]
Writer = Annotated[Actor, Depends(require(Perm.incidents_write))]
UnitReader = Annotated[Actor, Depends(require(Perm.units_read))]
UnitWriter = Annotated[Actor, Depends(require(Perm.units_write))]


#: The incident category catalogue (the shipped one or the bureau's own).
CATALOGUE: Provider[Catalogue] = Provider(
    "command.catalogue", lambda runtime: load_catalogue(runtime.settings.command.catalogue_path)
)
#: Travel-time estimates for recommending units.
ESTIMATOR: Provider[TravelTimeEstimator] = Provider(
    "command.estimator", lambda runtime: GreatCircleEstimator()
)


def catalogue_of(runtime: Any) -> Catalogue:
    return runtime.provide(CATALOGUE)


def _build_parser(runtime: Any) -> LexiconParser:
    from yanyun.geo.boundaries import load_boundaries

    city = runtime.settings.city.name
    gazetteer = Gazetteer.from_city(load_boundaries(city), load_landmarks(city))
    return LexiconParser(gazetteer, catalogue_of(runtime))


#: The Chinese intake parser with the city's gazetteer (its dictionaries take seconds).
PARSER: Provider[LexiconParser] = Provider("command.intake_parser", _build_parser)


def parser_of(runtime: Any) -> LexiconParser:
    return runtime.provide(PARSER)


def warm_up(runtime: Any) -> None:
    """Load the catalogue and the parser (and its segmenter's dictionary) before the
    first call, so the first dispatcher of the day does not wait seconds for them."""
    parser_of(runtime).parse("十分钟前在衡阳东站门口有人打架", now=runtime.clock.now())


def get_catalogue(request: Request) -> Catalogue:
    return catalogue_of(request.app.state.runtime)


def get_estimator(request: Request) -> TravelTimeEstimator:
    return request.app.state.runtime.provide(ESTIMATOR)


def get_parser(request: Request) -> LexiconParser:
    return parser_of(request.app.state.runtime)


CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]
EstimatorDep = Annotated[TravelTimeEstimator, Depends(get_estimator)]
ParserDep = Annotated[LexiconParser, Depends(get_parser)]
