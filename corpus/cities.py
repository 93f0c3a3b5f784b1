"""The configured cities, read from ``cities.yaml`` in the knowledge folder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from corpus.errors import KnowledgeFolderError, UnknownCityError
from corpus.models import City
from corpus.yaml_loading import load_yaml

CITIES_FILE = "cities.yaml"
CITY_FIELDS = ("name", "dialed_numbers")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def normalize_number(number: str) -> str:
    """Digits only, with a leading country code: ``0203 94000`` and ``+49 203 94000`` are the same."""
    digits = re.sub(r"\D", "", number)
    if number.strip().startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0"):
        return "49" + digits[1:]
    return digits


def _dialed_numbers(path: Path, key: str, value: object) -> tuple[str, ...]:
    """A list of numbers written as text; anything else names the file and field."""
    if value is None:
        return ()
    example = 'dialed_numbers: ["+49 203 94000"]'
    if not isinstance(value, list):
        raise KnowledgeFolderError(
            path.parent, f"{path}: cities.{key}.dialed_numbers: must be a list of numbers in quotes, e.g. {example}"
        )
    for number in value:
        if not isinstance(number, str) or not normalize_number(number):
            raise KnowledgeFolderError(
                path.parent,
                f"{path}: cities.{key}.dialed_numbers: {number!r} is not a phone number in quotes, e.g. {example}",
            )
    return tuple(value)


@dataclass(frozen=True)
class CityDirectory:
    """Which cities exist, their display names, and the folder for content valid in all of them."""

    cities: tuple[City, ...]
    common_key: str = "common"

    @classmethod
    def from_file(cls, path: Path) -> CityDirectory:
        if not path.is_file():
            raise KnowledgeFolderError(path.parent, f"No city configuration {CITIES_FILE} found")
        try:
            raw = load_yaml(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise KnowledgeFolderError(path.parent, f"{path.name} is not valid YAML: {exc}") from exc
        if not isinstance(raw, dict) or not isinstance(raw.get("cities"), dict) or not raw["cities"]:
            raise KnowledgeFolderError(path.parent, f"{path.name} needs a non-empty 'cities' mapping")
        cities: list[City] = []
        for key, entry in raw["cities"].items():
            spec = entry or {}
            if not isinstance(key, str) or not _KEY.match(key) or not isinstance(spec, dict):
                raise KnowledgeFolderError(path.parent, f"{path.name}: invalid city entry {key!r}")
            unknown = sorted(str(field) for field in spec if field not in CITY_FIELDS)
            if unknown:
                raise KnowledgeFolderError(
                    path.parent,
                    f"{path}: cities.{key}.{unknown[0]}: unknown field (known: {', '.join(CITY_FIELDS)})",
                )
            numbers = _dialed_numbers(path, key, spec.get("dialed_numbers"))
            name = spec.get("name", key.title())
            if not isinstance(name, str) or not name.strip():
                raise KnowledgeFolderError(
                    path.parent, f"{path}: cities.{key}.name: must be a text, e.g. name: Duisburg"
                )
            cities.append(City(key=key, name=name, dialed_numbers=numbers))
        common = raw.get("common", "common")
        if not isinstance(common, str) or not _KEY.match(common):
            raise KnowledgeFolderError(path.parent, f"{path}: common: must be a folder name such as 'common'")
        return cls(cities=tuple(cities), common_key=common)

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.cities]

    def get(self, key: str) -> City:
        """The city with this key (case-insensitive), or an error listing the known ones."""
        wanted = key.strip().lower()
        for city in self.cities:
            if city.key == wanted:
                return city
        raise UnknownCityError(key, self.keys)

    def by_dialed_number(self, number: str) -> City | None:
        wanted = normalize_number(number)
        for city in self.cities:
            if any(normalize_number(n) == wanted for n in city.dialed_numbers):
                return city
        return None

    def folder_keys(self) -> set[str]:
        """Every folder name an article may live in."""
        return {*self.keys, self.common_key}

    def scope(self, city_key: str) -> tuple[str, ...]:
        """The folders a search for this city may return: the city itself and the common folder."""
        return (self.get(city_key).key, self.common_key)
