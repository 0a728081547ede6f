"""The HTML report: built from a small synthetic run folder, checked as text and in a browser."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.figures import CONTRACT_METRICS
from sim.report import build_report, choose_reference, diff_with_interval, find_scenario_configs, value_with_interval

REPO = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SCENARIOS = ("baseline", "compassionate")
N_REP, N_MONTHS, N_TEAMS = 3, 24, 4
LEVELS = {  # plausible level of each contract metric, so the figures look like a run
    "vacancy_rate": 0.1, "leaver_rate": 0.11, "burnout_prevalence": 0.3, "sickness_absence_rate": 0.05,
    "patients_per_nurse": 8.2, "missed_care_rate": 0.3, "adverse_events_per_1000": 12.0,
    "reported_incidents_per_1000": 6.0, "psychological_safety": 0.5, "leader_turnover": 0.12,
    "agency_cost": 250_000.0, "headcount": 1000.0,
}
SECTIONS = ("Question", "Scenarios", "Headline findings", "Figures", "All metrics", "Assumptions",
            "Provenance")


def _timeseries(scenarios: tuple[str, ...], levels: dict[str, float]) -> pd.DataFrame:
    """Org-level rows for the given metrics plus one extra, and per-team burnout rows."""
    rng = np.random.default_rng(1)
    frames = []
    for k, scenario in enumerate(scenarios):
        for rep in range(N_REP):
            months = np.arange(N_MONTHS)
            for metric, level in {**levels, "reputation": 0.5}.items():
                trend = 1.0 - 0.1 * k * months / N_MONTHS
                values = level * trend * (1 + 0.05 * rng.standard_normal(N_MONTHS))
                frames.append(pd.DataFrame({"scenario": scenario, "replication": rep, "month": months,
                                            "team": pd.array([pd.NA] * N_MONTHS, dtype="Int16"),
                                            "metric": metric, "value": values}))
            for team in range(N_TEAMS):
                frames.append(pd.DataFrame({
                    "scenario": scenario, "replication": rep, "month": months,
                    "team": pd.array([team] * N_MONTHS, dtype="Int16"), "metric": "burnout_prevalence",
                    "value": 0.3 - 0.05 * k + 0.02 * team + 0.01 * rng.standard_normal(N_MONTHS)}))
    return pd.concat(frames, ignore_index=True)


def _summary(ts: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Last-12-month means per replication, summarised with normal 95% intervals and paired diffs."""
    org = ts[ts["team"].isna() & (ts["month"] >= N_MONTHS - 12)]
    per_rep = org.groupby(["scenario", "metric", "replication"])["value"].mean()
    g = per_rep.groupby(["scenario", "metric"])
    s = pd.DataFrame({"mean": g.mean(), "sd": g.std(), "n": g.count()})
    half = 1.96 * s["sd"] / np.sqrt(s["n"])
    s["ci_low"], s["ci_high"] = s["mean"] - half, s["mean"] + half
    scenarios = ts["scenario"].unique()
    if len(scenarios) > 1:
        diff = per_rep - per_rep.xs(reference, level="scenario")
        gd = diff.groupby(["scenario", "metric"])
        dhalf = 1.96 * gd.std() / np.sqrt(gd.count())
        s["diff"] = gd.mean()
        s["diff_ci_low"], s["diff_ci_high"] = s["diff"] - dhalf, s["diff"] + dhalf
        s.loc[reference, ["diff", "diff_ci_low", "diff_ci_high"]] = np.nan
    return s.reset_index()


def make_run(folder: Path, scenarios: tuple[str, ...] = SCENARIOS, levels: dict[str, float] = LEVELS) -> Path:
    """A run folder with the four contract files and, for a sweep, per-scenario configs."""
    folder.mkdir(parents=True, exist_ok=True)
    ts = _timeseries(scenarios, levels)
    ts.to_parquet(folder / "timeseries.parquet", index=False)
    _summary(ts, scenarios[0]).to_csv(folder / "summary.csv", index=False)
    config = {"scenario": scenarios[0], "reference_scenario": scenarios[0],
              "description": "Does <compassionate> leadership & collaboration cut burnout?",
              "seed": 1, "leadership": {"compassion_mean": 0.5, "name": "mixed"},
              "schedule": [], "outputs": {"summary_months": 12}}
    (folder / "config.yaml").write_text(yaml.safe_dump(config))
    (folder / "provenance.json").write_text(json.dumps(
        {"git_commit": "abc123", "seed": 1, "versions": {"numpy": np.__version__}}))
    if len(scenarios) > 1:
        for k, name in enumerate(scenarios):
            sub = {**config, "scenario": name,
                   "leadership": {"compassion_mean": 0.5 + 0.3 * k, "name": "mixed"}}
            (folder / name).mkdir()
            (folder / name / "config.yaml").write_text(yaml.safe_dump(sub))
    return folder


def img_srcs(text: str) -> list[str]:
    return re.findall(r'<img src="([^"]+)"', text)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A two-scenario run folder with its report built once for the module."""
    folder = make_run(tmp_path_factory.mktemp("sweep") / "run")
    out = build_report(folder)
    return folder, out.read_text(encoding="utf-8")


def test_report_has_sections_and_embedded_pngs(sweep: tuple[Path, str]) -> None:
    folder, text = sweep
    assert (folder / "report.html").is_file()
    positions = [text.index(f">{s}</h2>") for s in SECTIONS]
    assert positions == sorted(positions), "sections out of order"
    pngs = sorted((folder / "figures").glob("*.png"))
    # overview + forest + 12 contract trajectories + reputation + teams
    assert len(pngs) == 1 + 1 + len(CONTRACT_METRICS) + 1 + 1
    srcs = img_srcs(text)
    assert len(srcs) == len(pngs) == text.count("<img ")
    for src in srcs:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1], validate=True).startswith(PNG_MAGIC)
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", text), "external resource"
    assert not list(folder.glob("*.tmp")), "temporary file left behind"


def test_report_content(sweep: tuple[Path, str]) -> None:
    _, text = sweep
    assert "&lt;compassionate&gt; leadership &amp; collaboration" in text  # escaped question
    assert "<compassionate>" not in text
    assert "reference</span>" in text
    for title in ("Burnout prevalence", "Vacancy rate", "Leaver rate", "Adverse events", "Missed care"):
        assert f"{title} averaged" in text
    assert "than baseline (paired difference 95% interval" in text
    assert "excludes zero" in text or "includes zero" in text
    assert "leadership.compassion_mean" in text and "0.8" in text  # differing parameter
    assert "outputs.summary_months" in text  # flattened parameter list
    assert "abc123" in text and "versions.numpy" in text  # provenance table
    assert "Difference vs baseline" in text  # metrics table


def test_single_scenario_and_parameters_csv(tmp_path: Path) -> None:
    folder = make_run(tmp_path / "run", scenarios=("baseline",))
    pd.DataFrame({"key": ["exhaustion.recovery_rate"], "value": ["0.02"],
                  "evidence": ["assumption (~50 day time constant)"]}).to_csv(folder / "parameters.csv", index=False)
    text = build_report(folder).read_text(encoding="utf-8")
    assert "Single scenario" in text
    assert "Paired difference" not in text and "than baseline" not in text
    assert not (folder / "figures" / "forest.png").exists()
    assert "assumption (~50 day time constant)" in text
    assert len(img_srcs(text)) == 1 + len(CONTRACT_METRICS) + 1 + 1


def test_cli_builds_report_and_rejects_non_run_folder(tmp_path: Path) -> None:
    # a small run (two metrics, one scenario): this checks the command, not the content
    folder = make_run(tmp_path / "run", scenarios=("baseline",), levels={"vacancy_rate": 0.1})
    empty = tmp_path / "empty"
    empty.mkdir()
    ok = subprocess.run([sys.executable, "-m", "sim.report", str(folder)], cwd=REPO,
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert (folder / "report.html").is_file()
    bad = subprocess.run([sys.executable, "-m", "sim.report", str(empty)], cwd=REPO,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 1 and "timeseries.parquet" in lines[0]


def test_numbers_share_precision_and_units() -> None:
    assert value_with_interval("vacancy_rate", 0.1, 0.0993, 0.101) == ("10.0%", "9.9% to 10.1%")
    assert diff_with_interval("burnout_prevalence", -0.0252, -0.0314, -0.019) == (
        "−2.52 pp", "−3.14 pp to −1.90 pp")
    assert value_with_interval("agency_cost", 247338.2, 244927.0, 249750.0)[0] == "£247,338"
    assert diff_with_interval("agency_cost", -16740.0, -17534.0, -15946.0)[0] == "−£16,740"
    assert value_with_interval("psychological_safety", 0.5, float("nan"), float("nan")) == ("0.50", "— to —")


def test_reference_and_scenario_configs(tmp_path: Path) -> None:
    summary = pd.DataFrame({"scenario": ["a", "b"], "metric": ["x", "x"], "diff": [0.1, np.nan]})
    assert choose_reference(summary, {}, ["a", "b"]) == "b"  # the one without a difference
    assert choose_reference(summary, {"reference_scenario": "a"}, ["a", "b"]) == "a"
    for folder, cfg in (("0", {"scenario": "blame"}), ("1/.hydra", {"scenario": "kind"}),
                        (".hydra", {"scenario": "top"}), ("figures", {})):
        (tmp_path / folder).mkdir(parents=True)
        if cfg:
            (tmp_path / folder / "config.yaml").write_text(yaml.safe_dump(cfg))
    assert set(find_scenario_configs(tmp_path)) == {"blame", "kind"}


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
def test_report_renders_in_headless_chromium(sweep: tuple[Path, str], tmp_path: Path) -> None:
    binary = _chromium()
    if binary is None:
        pytest.skip("no chromium binary on PATH")
    folder, text = sweep
    flags = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000"]
    url = (folder / "report.html").resolve().as_uri()
    dom = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    total = re.search(r'data-images-total="(\d+)"', dom.stdout)
    loaded = re.search(r'data-images-loaded="(\d+)"', dom.stdout)
    assert total and loaded, "the load handler did not run"
    assert int(total.group(1)) == len(img_srcs(text)) > 0
    assert int(loaded.group(1)) == int(total.group(1)), "some images did not decode"
    shot = tmp_path / "report.png"
    subprocess.run([*flags, f"--screenshot={shot}", "--window-size=1280,4000", url],
                   capture_output=True, timeout=120, check=True)
    assert shot.read_bytes().startswith(PNG_MAGIC)
