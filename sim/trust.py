"""A trust profile: one NHS trust's own wards, workforce and staff-survey figures.

``python -m sim trust=NAME`` (``conf/trust/NAME.yaml``) or ``trust=PATH`` (a ``.yaml`` or an
``.xlsx`` profile) models that trust: its wards (beds, occupancy, mean stay, funded RN and
HCA posts), its starting vacancies, its leadership culture (``leadership.compassion_mean``
from the staff survey's manager-bullying score, on the scale of the leadership presets),
and the cost of its bank and agency cover (from its own spend). Its figures (leaver rate,
vacancies, sickness, burnout) are the targets of ``python -m sim.calibrate fit trust=NAME``,
whose posterior is stored beside the profile (``NAME.posterior.csv``) and used by every run
of that trust. The fields are documented in ``conf/trust/example.yaml`` and docs/guide.md.

Commands (bad input: one line naming the file, the ward or field and what is allowed; exit 2;
nothing written)::

    python -m sim.trust check PROFILE            # validate, and show what the model will run
    python -m sim.trust template [PROFILE] [OUT.xlsx]   # YAML -> Excel (default: the example)
    python -m sim.trust read WORKBOOK.xlsx OUT.yaml     # Excel -> YAML

PROFILE is a name in conf/trust/ or a path.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sim.config import REPO_ROOT, ConfigError

TRUST_DIR = REPO_ROOT / "conf" / "trust"
TEMPLATE = REPO_ROOT / "examples" / "trust_template.xlsx"

# ----------------------------------------------------------------------------- fields

#: (field, kind, low, high, required, what it is). Kinds: str, int, float, bool. Ranges are closed.
TRUST_FIELDS: tuple[tuple[str, str, float | None, float | None, bool, str], ...] = (
    ("name", "str", None, None, True, "short name of the profile (letters, digits, _ -)"),
    ("description", "str", None, None, False, "one line saying which trust and which year the figures are from"),
    ("fictional", "bool", None, None, False, "true for an invented trust (the example): shown in every report"),
    ("tolerance_leaver_rate", "float", 0.001, 0.2, False,
     "stated range of the leaver rate: figure +- this (default 0.015)"),
    ("tolerance_vacancy_rate", "float", 0.001, 0.2, False,
     "stated range of the vacancy rate: figure +- this (default 0.02)"),
    ("tolerance_sickness_absence", "float", 0.001, 0.2, False,
     "stated range of sickness absence: figure +- this (default 0.006)"),
    ("tolerance_burnout", "float", 0.001, 0.2, False,
     "stated range of staff-survey burnout: figure +- this (default 0.03)"),
)

ORGANISATION_FIELDS: tuple[tuple[str, str, float | None, float | None, bool, str], ...] = (
    ("name", "str", None, None, True, "the organisation's name (wards name it in their 'organisation' column)"),
    ("rn_in_post", "int", 0, 100_000, True, "registered nurses in post on the wards (headcount)"),
    ("hca_in_post", "int", 0, 100_000, True, "healthcare assistants in post on the wards (headcount)"),
    ("rn_vacancies", "int", 0, 100_000, True, "vacant funded RN posts (at most the wards' RN posts)"),
    ("hca_vacancies", "int", 0, 100_000, True, "vacant funded HCA posts (at most the wards' HCA posts)"),
    ("leaver_rate", "float", 0.0, 1.0, True, "nursing leavers in the last 12 months / average headcount, a share 0-1"),
    ("sickness_absence", "float", 0.0, 1.0, True, "share of contracted staff-days lost to sickness, 0-1"),
    ("agency_spend_per_year", "float", 0.0, 1e9, True, "pounds spent a year on bank and agency nursing cover"),
    ("survey_burnout", "float", 0.0, 1.0, True,
     "NHS Staff Survey Q12b: share of staff often or always burnt out because of their work, 0-1"),
    ("survey_manager_bullying", "float", 0.0, 0.5, True,
     "NHS Staff Survey Q14b: share of staff bullied, harassed or abused by managers in 12 months, 0-0.5 "
     "(the culture measure of the leadership presets)"),
    ("survey_colleague_bullying", "float", 0.0, 1.0, True,
     "NHS Staff Survey Q14c: share of staff bullied, harassed or abused by other colleagues in 12 months, 0-1"),
)

WARD_FIELDS: tuple[tuple[str, str, float | None, float | None, bool, str], ...] = (
    ("organisation", "str", None, None, False, "name of its organisation (may be left empty with one organisation)"),
    ("name", "str", None, None, True, "the ward's name"),
    ("type", "str", None, None, True, "specialty or type: medical, surgical, elderly care, ... (a label)"),
    ("beds", "int", 1, 200, True, "staffed beds"),
    ("occupancy", "float", 0.05, 1.0, True, "average bed occupancy, a share 0.05-1"),
    ("los_mean_days", "float", 0.5, 100.0, True, "mean length of stay in days"),
    ("rn_posts", "int", 1, 500, True, "funded registered-nurse posts (establishment, whole posts)"),
    ("hca_posts", "int", 0, 500, True, "funded healthcare-assistant posts"),
)

DEFAULT_TOLERANCES = {"leaver_rate": 0.015, "vacancy_rate": 0.02, "sickness_absence": 0.006, "burnout": 0.03}

#: Manager bullying (Q14b) of acute trusts at the 90th, 50th and 10th percentile of culture in
#: 2023 and the leadership presets' compassion_mean there (docs/evidence.md, section 6;
#: conf/leadership/*.yaml): compassionate 7.4 % -> 0.65, mixed 10.4 % -> 0.5, blame 13.0 % -> 0.35.
CULTURE_POINTS: tuple[tuple[float, float], ...] = ((0.074, 0.65), (0.104, 0.5), (0.130, 0.35))
#: The mapping is extended linearly beyond the 10th/90th percentile and kept inside this range
#: (a Beta mean must stay off 0 and 1; assumption).
COMPASSION_LIMITS = (0.05, 0.95)

#: The derived cost of a WTE-day of bank/agency cover must fall in this range (x0.1 to x10 the
#: national assumption of 240 in conf/config.yaml); outside it the spend and the gaps disagree.
AGENCY_COST_RANGE = (24.0, 2400.0)


def compassion_from_survey(manager_bullying: float) -> float:
    """A trust's mean leader compassion from its manager-bullying score, on the presets' scale:
    linear between the presets' percentiles, extended with the nearest segment's slope."""
    (x0, y0), (x1, y1), (x2, y2) = CULTURE_POINTS
    if manager_bullying <= x1:
        y = y1 + (manager_bullying - x1) * (y1 - y0) / (x1 - x0)
    else:
        y = y1 + (manager_bullying - x1) * (y2 - y1) / (x2 - x1)
    return float(min(max(y, COMPASSION_LIMITS[0]), COMPASSION_LIMITS[1]))


# ----------------------------------------------------------------------------- the profile


@dataclass(frozen=True)
class ProfileWard:
    organisation: str
    name: str
    type: str
    beds: int
    occupancy: float
    los_mean_days: float
    rn_posts: int
    hca_posts: int


@dataclass(frozen=True)
class ProfileOrganisation:
    name: str
    rn_in_post: int
    hca_in_post: int
    rn_vacancies: int
    hca_vacancies: int
    leaver_rate: float
    sickness_absence: float
    agency_spend_per_year: float
    survey_burnout: float
    survey_manager_bullying: float
    survey_colleague_bullying: float


@dataclass(frozen=True)
class Figure:
    """One of the trust's own figures, with its stated range and the model metric it is."""

    name: str
    label: str
    metric: str
    value: float
    tolerance: float

    @property
    def low(self) -> float:
        return max(0.0, self.value - self.tolerance)

    @property
    def high(self) -> float:
        return min(1.0, self.value + self.tolerance)


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    fictional: bool
    organisations: tuple[ProfileOrganisation, ...]
    wards: tuple[ProfileWard, ...]
    tolerances: dict[str, float]
    path: Path = field(compare=False, default=Path("."))

    # -- totals
    def posts(self, organisation: str | None = None) -> tuple[int, int]:
        wards = [w for w in self.wards if organisation is None or w.organisation == organisation]
        return sum(w.rn_posts for w in wards), sum(w.hca_posts for w in wards)

    @property
    def beds(self) -> int:
        return sum(w.beds for w in self.wards)

    def in_post(self) -> int:
        return sum(o.rn_in_post + o.hca_in_post for o in self.organisations)

    def _weighted(self, attr: str) -> float:
        """A trust-wide rate: the organisations' rates weighted by their staff in post."""
        w = np.array([o.rn_in_post + o.hca_in_post for o in self.organisations], dtype=float)
        v = np.array([getattr(o, attr) for o in self.organisations], dtype=float)
        return float((w * v).sum() / w.sum()) if w.sum() > 0 else float(v.mean())

    def vacancy_rate(self) -> float:
        rn, hca = self.posts()
        return sum(o.rn_vacancies + o.hca_vacancies for o in self.organisations) / (rn + hca)

    def figures(self) -> tuple[Figure, ...]:
        """The calibration targets of this trust: its own figures with their stated ranges."""
        t = self.tolerances
        return (
            Figure("leaver_rate", "Leaver rate (a year)", "leaver_rate", self._weighted("leaver_rate"),
                   t["leaver_rate"]),
            Figure("vacancy_rate", "Vacancy rate (RN and HCA posts)", "vacancy_rate", self.vacancy_rate(),
                   t["vacancy_rate"]),
            Figure("sickness_absence", "Sickness absence", "sickness_absence_rate",
                   self._weighted("sickness_absence"), t["sickness_absence"]),
            Figure("burnout", "Burnt out (staff survey Q12b)", "burnout_prevalence",
                   self._weighted("survey_burnout"), t["burnout"]),
        )

    def agency_spend(self) -> float:
        return float(sum(o.agency_spend_per_year for o in self.organisations))

    def posterior_path(self) -> Path:
        """Where the trust's own posterior lives: beside its profile."""
        return self.path.with_name(f"{self.path.stem}.posterior.csv")

    def as_dict(self) -> dict[str, Any]:
        """The profile as the YAML holds it (field order as documented)."""
        out: dict[str, Any] = {"name": self.name, "description": self.description, "fictional": self.fictional}
        for key, value in self.tolerances.items():
            out[f"tolerance_{key}"] = value
        out["organisations"] = [{f: getattr(o, f) for f, *_ in ORGANISATION_FIELDS} for o in self.organisations]
        out["wards"] = [{f: getattr(w, f) for f, *_ in WARD_FIELDS} for w in self.wards]
        return out


# ----------------------------------------------------------------------------- finding and reading


def available() -> list[str]:
    return sorted(p.stem for p in TRUST_DIR.glob("*.yaml"))


def resolve(value: str) -> Path:
    """The profile file of ``trust=VALUE``: a name in conf/trust/, or a path (.yaml/.yml/.xlsx)."""
    text = str(value).strip()
    looks_like_path = "/" in text or os.sep in text or text.endswith((".yaml", ".yml", ".xlsx"))
    if looks_like_path:
        path = Path(text).expanduser()
        for candidate in (path, REPO_ROOT / path):
            if candidate.is_file():
                return candidate.resolve()
        raise ConfigError(f"trust={text}: no such file; allowed: a name in conf/trust/ "
                          f"({', '.join(available()) or 'none'}) or a path to a .yaml or .xlsx profile")
    path = TRUST_DIR / f"{text}.yaml"
    if not path.is_file():
        raise ConfigError(f"trust={text}: no profile conf/trust/{text}.yaml; allowed: "
                          f"{', '.join(available()) or 'none'}, or a path to a .yaml or .xlsx profile")
    return path


def load(value: str | Path) -> Profile:
    """Read and validate the profile named by ``trust=VALUE`` (or a path)."""
    path = value if isinstance(value, Path) else resolve(value)
    raw = read_workbook(path) if path.suffix.lower() == ".xlsx" else read_yaml(path)
    return validate(raw, path)


def from_mapping(data: dict[str, Any]) -> Profile:
    """A profile selected as the Hydra group (``trust=NAME``: Hydra has read conf/trust/NAME.yaml
    into the config), or stored in a run's config.yaml; its file is conf/trust/<name>.yaml."""
    data = {k: v for k, v in data.items() if not str(k).startswith("_")}     # _posterior: written by a run
    name = str(data.get("name", "")).strip()
    path = TRUST_DIR / f"{name or '?'}.yaml"
    if not name or not path.is_file():
        raise ConfigError(f"trust: the profile's name {name!r} is not the name of its file in conf/trust/; allowed: "
                          f"name equal to the file's name ({', '.join(available())})")
    for key in ("organisations", "wards"):
        if isinstance(data.get(key), list):
            data[key] = [(f"{key}[{i}]", dict(item) if isinstance(item, dict) else item)
                         for i, item in enumerate(data[key])]
    return validate(data, path)


def profile_from_stored(data: dict[str, Any]) -> Profile:
    """The profile as a run's config.yaml stored it (for the report): validated again, its
    file not needed."""
    data = {k: v for k, v in data.items() if not str(k).startswith("_")}
    for key in ("organisations", "wards"):
        if isinstance(data.get(key), list):
            data[key] = [(f"{key}[{i}]", dict(item)) for i, item in enumerate(data[key])]
    return validate(data, Path(f"{data.get('name', 'trust')}.yaml"))


def _short(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"{_short(path)}: not a readable YAML profile ({first}); allowed: a YAML file laid out "
                          "as conf/trust/example.yaml") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{_short(path)}: not a profile (a YAML mapping with name, organisations and wards); "
                          "allowed: a file laid out as conf/trust/example.yaml")
    for key in ("organisations", "wards"):
        if isinstance(data.get(key), list):
            data[key] = [(f"{key}[{i}]", item) for i, item in enumerate(data[key])]
    return data


SHEETS = {"trust": "Trust", "organisations": "Organisations", "wards": "Wards"}


def read_workbook(path: Path) -> dict[str, Any]:
    """The profile from the Excel template: sheet Trust (field | value), Organisations and
    Wards (a header row, then one row each)."""
    import openpyxl  # noqa: PLC0415 - only for workbooks
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, InvalidFileException, KeyError, ValueError, Exception) as exc:  # noqa: BLE001 - zip/xml errors
        raise ConfigError(f"{_short(path)}: not a readable Excel workbook ({type(exc).__name__}); allowed: an .xlsx "
                          "file laid out as examples/trust_template.xlsx") from exc
    try:
        for sheet in SHEETS.values():
            if sheet not in book.sheetnames:
                raise ConfigError(f"{_short(path)}: no sheet '{sheet}'; required sheets: {', '.join(SHEETS.values())} "
                                  "(as in examples/trust_template.xlsx)")
        data: dict[str, Any] = {}
        for row_no, row in enumerate(book[SHEETS["trust"]].iter_rows(values_only=True), start=1):
            if row_no == 1 or not row or row[0] is None or str(row[0]).strip() == "":
                continue
            data[str(row[0]).strip()] = row[1] if len(row) > 1 else None
        for key in ("organisations", "wards"):
            sheet = SHEETS[key]
            rows = list(book[sheet].iter_rows(values_only=True))
            if not rows:
                raise ConfigError(f"{_short(path)}: sheet {sheet} is empty; allowed: a header row, then one row each")
            header = [str(h).strip() if h is not None else "" for h in rows[0]]
            records = []
            for i, row in enumerate(rows[1:], start=2):
                if all(v is None or str(v).strip() == "" for v in row):
                    continue
                item = {h: v for h, v in zip(header, row, strict=False) if h and v is not None and str(v).strip() != ""}
                records.append((f"sheet {sheet} row {i}", {"__columns__": header, **item}))
            data[key] = records
    finally:
        book.close()
    return data


# ----------------------------------------------------------------------------- validation


def _value(where: str, key: str, value: Any, kind: str, lo: float | None, hi: float | None) -> Any:
    """One field's value, of its kind and inside its range; else one line naming it."""
    allowed = {"str": "text", "int": "a whole number", "float": "a number", "bool": "true or false"}[kind]
    if lo is not None:
        allowed += f" from {lo:g} to {hi:g}"
    if kind == "str":
        if value is None or isinstance(value, bool) or str(value).strip() == "":
            raise ConfigError(f"{where}: {key} is empty; allowed: {allowed}")
        return str(value).strip()
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if str(value).strip().lower() in ("true", "false"):
            return str(value).strip().lower() == "true"
        raise ConfigError(f"{where}: {key}={value!r} is not true or false")
    if isinstance(value, bool):
        raise ConfigError(f"{where}: {key}={value!r} is not a number; allowed: {allowed}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {key}={value!r} is not a number; allowed: {allowed}") from None
    if not math.isfinite(number):
        raise ConfigError(f"{where}: {key}={value!r} is not a finite number; allowed: {allowed}")
    if kind == "int":
        if number != round(number):
            raise ConfigError(f"{where}: {key}={value!r} is not a whole number; allowed: {allowed}")
        number = int(round(number))
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        hint = " (a share: 31 % is 0.31)" if hi == 1.0 and number > 1 else ""
        raise ConfigError(f"{where}: {key}={value!r} is out of range; allowed: {allowed}{hint}")
    return number


def _record(where: str, item: Any, spec: tuple, defaults: dict[str, Any] | None = None) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: not a mapping of fields; allowed fields: {', '.join(f for f, *_ in spec)}")
    columns = item.pop("__columns__", None)
    names = {f for f, *_ in spec}
    label = f"{where} ({item['name']})" if item.get("name") not in (None, "") else where
    unknown = [k for k in item if k not in names]
    if unknown:
        raise ConfigError(f"{label}: unknown field '{unknown[0]}'; allowed: {', '.join(f for f, *_ in spec)}")
    out: dict[str, Any] = {}
    for name, kind, lo, hi, required, _ in spec:
        if name not in item or item[name] is None:
            if columns is not None and name not in columns and required:
                raise ConfigError(f"{where.split(' row ')[0]}: no column '{name}'; required columns: "
                                  f"{', '.join(f for f, *_, r, _d in spec if r)}")
            if required:
                raise ConfigError(f"{label}: missing field '{name}'; required: "
                                  f"{', '.join(f for f, *_, r, _d in spec if r)}")
            out[name] = (defaults or {}).get(name)
            continue
        out[name] = _value(label, name, item[name], kind, lo, hi)
    return out


def validate(raw: dict[str, Any], path: Path) -> Profile:
    """A checked :class:`Profile`; the first problem is one line naming the file and the field."""
    src = _short(path)
    try:
        return _validate(raw, path)
    except ConfigError as exc:
        raise ConfigError(f"{src}: {exc}") from None


def _validate(raw: dict[str, Any], path: Path) -> Profile:
    raw = dict(raw)
    lists = {k: raw.pop(k, None) for k in ("organisations", "wards")}
    top = _record("trust", raw, TRUST_FIELDS)
    for key in ("organisations", "wards"):
        if not lists[key]:
            raise ConfigError(f"{key}: missing or empty; allowed: a list with at least one entry "
                              "(see conf/trust/example.yaml)")
        if not isinstance(lists[key], list):
            raise ConfigError(f"{key}: not a list; allowed: one entry per {key[:-1]}")
    orgs = [ProfileOrganisation(**_record(w, item, ORGANISATION_FIELDS)) for w, item in lists["organisations"]]
    names = [o.name for o in orgs]
    if len(set(names)) != len(names):
        raise ConfigError(f"organisations: the name '{next(n for n in names if names.count(n) > 1)}' is used twice; "
                          "allowed: one entry per organisation")
    if len(orgs) > 50:
        raise ConfigError(f"organisations: {len(orgs)} organisations; allowed: 1 to 50")
    wards = []
    order = []
    for where, item in lists["wards"]:
        rec = _record(where, item, WARD_FIELDS)
        label = f"{where} ({rec['name']})"
        if rec["organisation"] is None:
            if len(orgs) > 1:
                raise ConfigError(f"{label}: organisation is empty; allowed with several organisations: "
                                  f"{', '.join(names)}")
            rec["organisation"] = names[0]
        if rec["organisation"] not in names:
            raise ConfigError(f"{label}: organisation={rec['organisation']!r} is not one of the organisations; "
                              f"allowed: {', '.join(names)}")
        k = names.index(rec["organisation"])
        if order and k < order[-1]:
            raise ConfigError(f"{label}: organisation {rec['organisation']!r} comes after the wards of a later "
                              "organisation; allowed: wards listed organisation by organisation, as the organisations")
        order.append(k)
        wards.append(ProfileWard(**rec))
    if len(wards) > 500:
        raise ConfigError(f"wards: {len(wards)} wards; allowed: 1 to 500")
    profile = Profile(name=top["name"], description=top["description"] or "", fictional=bool(top["fictional"]),
                      organisations=tuple(orgs), wards=tuple(wards),
                      tolerances={k: (top[f"tolerance_{k}"] if top[f"tolerance_{k}"] is not None else v)
                                  for k, v in DEFAULT_TOLERANCES.items()}, path=path)
    for o in orgs:
        if not any(w.organisation == o.name for w in wards):
            raise ConfigError(f"organisations ({o.name}): has no ward; allowed: every organisation has at least one ward")
        rn, hca = profile.posts(o.name)
        for role, posts in (("rn", rn), ("hca", hca)):
            vacancies, in_post = getattr(o, f"{role}_vacancies"), getattr(o, f"{role}_in_post")
            if vacancies > posts:
                raise ConfigError(f"organisations ({o.name}): {role}_vacancies={vacancies} is above its wards' "
                                  f"{role}_posts ({posts}); allowed: 0 to {posts}")
            if in_post > 1.25 * posts:
                raise ConfigError(f"organisations ({o.name}): {role}_in_post={in_post} is more than 1.25 x its wards' "
                                  f"{role}_posts ({posts}); allowed: 0 to {int(1.25 * posts)} (headcount of the "
                                  "funded posts, part-time staff included)")
    agency_cost(profile)      # refuses a spend that cannot be the cover of these gaps
    return profile


# ----------------------------------------------------------------------------- the model's settings

#: Share of a WTE an average member of staff works (conf/organisation/*.yaml: 60 % full time,
#: part-time at 0.7 FTE): only to turn the profile's gaps into WTE for the agency cost.
MEAN_FTE = 0.6 + 0.4 * 0.7
#: As conf/config.yaml staffing.agency_fill_share (NHS Improvement 2018/19): share of gaps covered.
AGENCY_FILL_SHARE = 0.8


def agency_cost(profile: Profile) -> float:
    """Pounds per WTE-day of bank/agency cover that make the model's cover cost the trust's
    own spend: spend / (365 x the WTE it covers: the fill share of its vacant and sick WTE)."""
    gap = sum((o.rn_vacancies + o.hca_vacancies) * MEAN_FTE
              + o.sickness_absence * (o.rn_in_post + o.hca_in_post) * MEAN_FTE for o in profile.organisations)
    wte_days = AGENCY_FILL_SHARE * gap * 365
    spend = profile.agency_spend()
    if wte_days <= 0:
        if spend > 0:
            raise ConfigError("organisations: agency_spend_per_year is above 0 but there are no vacancies or "
                              "sickness to cover; allowed: 0, or vacancies/sickness above 0")
        return 240.0
    cost = spend / wte_days
    lo, hi = AGENCY_COST_RANGE
    if not lo <= cost <= hi:
        raise ConfigError(f"organisations: agency_spend_per_year (total {spend:,.0f}) would cost {cost:,.0f} per WTE-day "
                          f"of cover of its vacancies and sickness; allowed: a spend giving {lo:g} to {hi:g} per WTE-day "
                          f"({lo * wte_days:,.0f} to {hi * wte_days:,.0f} a year for these gaps)")
    return cost


def distribute(total: int, weights: list[int]) -> list[int]:
    """``total`` split over wards in proportion to ``weights`` (largest remainder, ties to the first)."""
    w = np.asarray(weights, dtype=float)
    if total <= 0 or w.sum() <= 0:
        return [0] * len(weights)
    quota = total * w / w.sum()
    base = np.floor(quota).astype(int)
    left = total - int(base.sum())
    order = sorted(range(len(w)), key=lambda i: (-(quota[i] - base[i]), i))
    for i in order[:left]:
        base[i] += 1
    return [int(x) for x in base]


def apply_profile(cfg: Any, profile: Profile, use_posterior: bool = True) -> None:
    """Set the organisation, the leadership culture and the agency cost of ``cfg`` (a typed
    Config) from the profile, and the trust posterior's representative point if it exists
    (not with ``use_posterior=False``: a fit's own runs must not inherit an earlier fit's
    values of parameters it no longer fits)."""
    from sim.config import Ward  # noqa: PLC0415 - sim.config imports this module lazily

    names = [o.name for o in profile.organisations]
    wards: list[Any] = []
    for k, o in enumerate(profile.organisations):
        mine = [w for w in profile.wards if w.organisation == o.name]
        rn_vac = distribute(o.rn_vacancies, [w.rn_posts for w in mine])
        hca_vac = distribute(o.hca_vacancies, [w.hca_posts for w in mine])
        wards += [Ward(name=w.name, type=w.type, organisation=k, beds=w.beds, occupancy=w.occupancy,
                       los_mean_days=w.los_mean_days, rn_posts=w.rn_posts, hca_posts=w.hca_posts,
                       rn_vacancies=rv, hca_vacancies=hv) for w, rv, hv in zip(mine, rn_vac, hca_vac, strict=True)]
    org = cfg.organisation
    org.name = profile.name
    org.n_organisations = len(names)
    org.n_teams = max(sum(1 for w in profile.wards if w.organisation == n) for n in names)
    org.wards = wards
    rn, hca = profile.posts()
    org.initial_vacancy_rate = profile.vacancy_rate()
    org.beds_per_team = max(1, round(profile.beds / len(profile.wards)))
    org.rn_posts_per_team = max(1, round(rn / len(profile.wards)))
    org.hca_posts_per_team = round(hca / len(profile.wards))
    compassion = [compassion_from_survey(o.survey_manager_bullying) for o in profile.organisations]
    mean = float(np.mean(compassion))
    cfg.leadership.compassion_mean = mean
    org.compassion_offsets = [c - mean for c in compassion] if len(compassion) > 1 else []
    cfg.staffing.agency_cost_per_wte_day = agency_cost(profile)
    point = posterior_point(profile) if use_posterior else {}
    for key, value in point.items():
        section, _, name = key.partition(".")
        obj = getattr(cfg, section)
        current = getattr(obj, name)
        setattr(obj, name, int(round(value)) if isinstance(current, int) and not isinstance(current, bool) else value)


def posterior_point(profile: Profile) -> dict[str, float]:
    """The trust posterior's representative particle (as the national fit's), or the weighted
    median of each parameter of a posterior written without one; {} when it has none."""
    path = profile.posterior_path()
    if not path.exists():
        return {}
    import pandas as pd  # noqa: PLC0415

    from sim.uncertainty import parameter_columns  # noqa: PLC0415 - sim.uncertainty imports sim.config, which imports this module

    try:
        df = pd.read_csv(path)
    except Exception as exc:  # noqa: BLE001 - any reading error: one line
        raise ConfigError(f"{_short(path)}: not a readable posterior ({type(exc).__name__}); allowed: the CSV "
                          "written by python -m sim.calibrate fit trust=...; delete it to run without") from exc
    if "weight" not in df.columns or df.empty:
        raise ConfigError(f"{_short(path)}: no 'weight' column or no rows; allowed: the CSV written by "
                          "python -m sim.calibrate fit trust=...")
    if "representative" in df.columns and df["representative"].astype(bool).any():
        # the fit's representative particle (sim.calibration.fit.representative_index): an actually
        # simulated point among the best fits; a weighted median of each marginal need not fit at all
        row = df[df["representative"].astype(bool)].iloc[0]
        return {c: float(row[c]) for c in parameter_columns(df.columns)}
    w = df["weight"].to_numpy(dtype=float)
    out = {}
    for col in parameter_columns(df.columns):
        v = df[col].to_numpy(dtype=float)
        ok = np.isfinite(v)
        order = np.argsort(v[ok])
        vv, ww = v[ok][order], w[ok][order]
        cdf = (np.cumsum(ww) - 0.5 * ww) / ww.sum()
        out[col] = float(np.interp(0.5, cdf, vv))
    return out


# ----------------------------------------------------------------------------- writing


YAML_HEADER = """\
# A trust profile: python -m sim trust={name}. Every field is described in docs/guide.md
# ("The trust profile, field by field") and in conf/trust/example.yaml. Written by
# python -m sim.trust read from {source}.
"""


def to_yaml(profile: Profile, source: str = "") -> str:
    body = yaml.safe_dump(profile.as_dict(), sort_keys=False, allow_unicode=True, width=120)
    return YAML_HEADER.format(name=profile.name, source=source or "a workbook") + body


def write_workbook(profile: Profile, out: Path) -> None:
    """The profile as the Excel template: an About sheet (every field explained), Trust,
    Organisations and Wards."""
    import openpyxl  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415

    book = openpyxl.Workbook()
    about = book.active
    about.title = "About"
    about.append(["Trust profile for sim (python -m sim trust=PATH.xlsx). Fill the sheets Trust, Organisations "
                  "and Wards; keep the column names. Shares are fractions (31 % is 0.31). See docs/guide.md."])
    about.append([])
    about.append(["sheet", "field", "required", "allowed", "what it is"])
    for sheet, spec in (("Trust", TRUST_FIELDS), ("Organisations", ORGANISATION_FIELDS), ("Wards", WARD_FIELDS)):
        for name, kind, lo, hi, required, doc in spec:
            allowed = {"str": "text", "int": "whole number", "float": "number", "bool": "true/false"}[kind]
            if lo is not None:
                allowed += f" {lo:g} to {hi:g}"
            about.append([sheet, name, "yes" if required else "no", allowed, doc])
    for cell in about[3]:
        cell.font = Font(bold=True)
    trust = book.create_sheet("Trust")
    trust.append(["field", "value"])
    d = profile.as_dict()
    for name, *_ in TRUST_FIELDS:
        trust.append([name, d.get(name)])
    for key, spec in (("organisations", ORGANISATION_FIELDS), ("wards", WARD_FIELDS)):
        sheet = book.create_sheet(SHEETS[key])
        sheet.append([f for f, *_ in spec])
        for item in d[key]:
            sheet.append([item[f] for f, *_ in spec])
    for sheet in book.worksheets[1:]:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    book.save(tmp)
    tmp.replace(out)


# ----------------------------------------------------------------------------- command line


def summary(profile: Profile) -> str:
    rn, hca = profile.posts()
    types: dict[str, int] = {}
    for w in profile.wards:
        types[w.type] = types.get(w.type, 0) + 1
    lines = [f"trust {profile.name}{' (FICTIONAL)' if profile.fictional else ''}: {profile.description}",
             f"  {len(profile.organisations)} organisation(s), {len(profile.wards)} wards "
             f"({', '.join(f'{n} {t}' for t, n in types.items())}), {profile.beds} beds, "
             f"{rn} RN + {hca} HCA funded posts, {profile.in_post()} staff in post",
             "  leadership.compassion_mean from manager bullying: "
             + ", ".join(f"{o.name} {o.survey_manager_bullying:.3f} -> {compassion_from_survey(o.survey_manager_bullying):.3f}"
                         for o in profile.organisations),
             f"  bank/agency: {profile.agency_spend():,.0f} a year -> {agency_cost(profile):,.0f} per WTE-day of cover",
             "  figures (calibration targets, stated range):"]
    for f in profile.figures():
        lines.append(f"    {f.label:<34} {f.value:.3f}  [{f.low:.3f}, {f.high:.3f}]")
    post = profile.posterior_path()
    lines.append(f"  posterior: {_short(post) if post.exists() else 'none yet (python -m sim.calibrate fit trust=...)'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if args else 2
    command, rest = args[0], [a.removeprefix("trust=") for a in args[1:]]
    try:
        if command == "check":
            if len(rest) != 1:
                raise ConfigError("usage: python -m sim.trust check PROFILE (a name in conf/trust/ or a path)")
            print(summary(load(rest[0])))
        elif command == "template":
            if len(rest) > 2:
                raise ConfigError("usage: python -m sim.trust template [PROFILE] [OUT.xlsx]")
            profile = load(rest[0] if rest else "example")
            out = Path(rest[1]) if len(rest) > 1 else TEMPLATE
            if out.suffix.lower() != ".xlsx":
                raise ConfigError(f"{out}: the template must be an .xlsx file")
            write_workbook(profile, out)
            print(f"wrote {out} from {_short(profile.path)}")
        elif command == "read":
            if len(rest) != 2:
                raise ConfigError("usage: python -m sim.trust read WORKBOOK.xlsx OUT.yaml")
            book, out = Path(rest[0]), Path(rest[1])
            if out.suffix.lower() not in (".yaml", ".yml"):
                raise ConfigError(f"{out}: the output must be a .yaml file")
            if not book.is_file():
                raise ConfigError(f"{book}: no such file; allowed: an .xlsx workbook (examples/trust_template.xlsx)")
            profile = validate(read_workbook(book), book)
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_name(f".{out.name}.tmp")
            tmp.write_text(to_yaml(profile, _short(book)), encoding="utf-8")
            tmp.replace(out)
            print(f"wrote {out} ({len(profile.wards)} wards); run it with: python -m sim trust={out}")
        else:
            raise ConfigError(f"unknown command '{command}'; allowed: check, template, read")
    except ConfigError as exc:
        if os.environ.get("SIM_DEBUG") == "1":
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
