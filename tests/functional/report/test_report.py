"""The HTML report (sim/report/): built from a small synthetic run folder, checked as text and in a browser."""

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

from sim.metric_records import CONTRACT_METRICS
from sim.report import (
    build_report,
    choose_reference,
    diff_with_interval,
    factorial_design,
    find_scenario_configs,
    value_with_interval,
)

REPO = Path(__file__).resolve().parents[3]
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
    pngs = [p for p in sorted((folder / "figures").glob("*.png")) if p.name != "brief.png"]  # brief.png: the brief's
    pngs += sorted((folder / "figures" / "headline").glob("*.png"))
    # headline (key metrics over time, their differences) + overview + forest + 12 contract trajectories
    # + reputation + teams
    assert len(pngs) == 2 + 1 + 1 + len(CONTRACT_METRICS) + 1 + 1
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
    assert "than Baseline trust (paired difference 95% interval" in text
    assert "excludes zero" in text or "includes zero" in text
    assert "Leaders&#39; compassion (0 blaming, 1 compassionate)" in text and "0.8" in text  # differing parameter
    assert "Months averaged in the summary" in text  # flattened parameter list, in words
    assert "leadership.compassion_mean" not in text and "outputs.summary_months" not in text  # no code names
    assert "abc123" in text and "versions.numpy" in text  # provenance table
    assert "Difference vs Baseline trust" in text  # metrics table


def test_no_optional_sections_without_their_inputs(sweep: tuple[Path, str]) -> None:
    _, text = sweep  # two scenarios, no jobs.csv, no cost_effectiveness.csv
    for absent in (">The four cultures</h2>", ">Return on investment</h2>", "class='warning'", "ranks first"):
        assert absent not in text


# --------------------------------------------------------------------------- 2x2 design

CULTURES = {  # scenario -> (leadership, collaboration); the reference first, as make_run wants
    "siloed+blame": ("blame", "siloed"), "collaborative+blame": ("blame", "collaborative"),
    "siloed+compassionate": ("compassionate", "siloed"),
    "collaborative+compassionate": ("compassionate", "collaborative"),
}
CULTURE_LEVELS = {m: LEVELS[m] for m in ("burnout_prevalence", "vacancy_rate", "adverse_events_per_1000")}


def culture_config(leadership: str, collaboration: str, name: str) -> dict:
    return {"scenario": name, "seed": 1, "outputs": {"summary_months": 12},
            "leadership": {"name": leadership, "compassion_mean": 0.8 if leadership == "compassionate" else 0.2},
            "collaboration": {"name": collaboration,
                              "collaboration_mean": 0.8 if collaboration == "collaborative" else 0.15}}


@pytest.fixture(scope="module")
def grid_sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A 2x2 sweep (leadership x collaboration), three metrics only to stay quick."""
    folder = make_run(tmp_path_factory.mktemp("grid") / "run", scenarios=tuple(CULTURES), levels=CULTURE_LEVELS)
    for name, (lead, collab) in CULTURES.items():
        (folder / name / "config.yaml").write_text(yaml.safe_dump(culture_config(lead, collab, name)))
    return folder, build_report(folder).read_text(encoding="utf-8")


def test_culture_grid_section_and_images(grid_sweep: tuple[Path, str]) -> None:
    folder, text = grid_sweep
    assert '<a href="#cultures">The four cultures</a>' in text
    start, end = text.index(">The four cultures</h2>"), text.index(">Figures</h2>")
    assert text.index(">Headline findings</h2>") < start
    block = text[start:end]
    grids = sorted((folder / "figures").glob("culture_grid_*.png"))
    assert [p.stem for p in grids] == [f"culture_grid_{m}" for m in sorted(CULTURE_LEVELS)]
    assert len(img_srcs(block)) == len(grids) == 3
    for src in img_srcs(block):
        assert base64.b64decode(src.split(",", 1)[1], validate=True).startswith(PNG_MAGIC)
    assert len(img_srcs(text)) == len(list((folder / "figures").rglob("*.png"))) - 1   # all but the brief's
    for label in ("Compassionate leadership", "Blaming leadership", "Collaborative teams",
                  "Siloed teams", "dashed grey line is the median of the reference, Siloed teams, blaming leadership"):
        assert label in block
    assert block.count("<table class='data cultures'>") == 3
    assert "Burnout prevalence: mean of the last 12 months" in block


def test_factorial_design_from_configs() -> None:
    configs = {n: culture_config(lead, collab, n) for n, (lead, collab) in CULTURES.items()}
    design = factorial_design(configs, list(CULTURES), reference="siloed+blame")
    assert design is not None
    assert (design.row_factor, design.col_factor) == ("leadership", "collaboration")
    assert design.row_levels == ["compassionate", "blame"]  # the reference's levels last
    assert design.grid == [["collaborative+compassionate", "siloed+compassionate"],
                           ["collaborative+blame", "siloed+blame"]]
    ids = {n: {**c, "run_id": n} for n, c in configs.items()}  # differs everywhere: not a factor
    assert factorial_design(ids, list(CULTURES)) is not None
    third = {n: {**c, "demand": {"name": "shock" if i % 3 == 0 else "steady"}} for i, (n, c) in enumerate(configs.items())}
    assert factorial_design(third, list(CULTURES)) is None  # a third factor
    assert factorial_design(configs, list(CULTURES)[:3]) is None
    one = {n: {**c, "collaboration": {"name": "mixed"}} for n, c in configs.items()}
    assert factorial_design(one, list(CULTURES)) is None  # one factor only


# --------------------------------------------------------------------------- interventions

INF = float("inf")


@pytest.fixture(scope="module")
def costed_sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Three interventions against none, with cost_effectiveness.csv and one failed job."""
    names = ("none", "peer_support", "staffing_uplift", "pay_and_terms")
    folder = make_run(tmp_path_factory.mktemp("costed") / "run", scenarios=names,
                      levels={"vacancy_rate": 0.1})
    nan = float("nan")

    def option(name: str, net: float, leavers: tuple[float, float, float], per: tuple[float, float, float],
               p_first: float, rank: float) -> dict[str, float | str]:
        return {"scenario": name, "n": 3, "intervention_cost": net + 1000.0, "intervention_cost_ci_low": net + 1000.0,
                "intervention_cost_ci_high": net + 1000.0, "agency_saving": 1000.0, "agency_saving_ci_low": 500.0,
                "agency_saving_ci_high": 1500.0, "net_cost": net, "net_cost_ci_low": net - 500.0,
                "net_cost_ci_high": net + 500.0, "leaver_rate_reduction": leavers[0] / 1000,
                "leaver_rate_reduction_ci_low": leavers[1] / 1000, "leaver_rate_reduction_ci_high": leavers[2] / 1000,
                "leavers_avoided": leavers[0], "leavers_avoided_ci_low": leavers[1],
                "leavers_avoided_ci_high": leavers[2], "adverse_reduction_per_1000": 0.5,
                "adverse_reduction_per_1000_ci_low": 0.1, "adverse_reduction_per_1000_ci_high": 0.9,
                "adverse_events_avoided": 5.0, "adverse_events_avoided_ci_low": 1.0,
                "adverse_events_avoided_ci_high": 9.0, "cost_per_leaver_avoided": per[0],
                "cost_per_leaver_ci_low": per[1], "cost_per_leaver_ci_high": per[2],
                "cost_per_adverse_event_avoided": net / 5, "cost_per_adverse_ci_low": net / 9,
                "cost_per_adverse_ci_high": net, "p_first_leaver": p_first, "p_first_adverse": p_first,
                "rank_leaver": rank, "rank_adverse": rank}

    pd.DataFrame([
        option("staffing_uplift", 544000.0, (1.33, -3.8, 6.5), (408000.0, nan, nan), 0.0, 2),
        option("peer_support", 3100.0, (1.67, 0.5, 5.46), (1860.0, 568.0, 6200.0), 1.0, 1),
        option("pay_and_terms", 130200.0, (-1.0, -4.0, 2.0), (nan, nan, nan), 0.0, nan),
    ]).to_csv(folder / "cost_effectiveness.csv", index=False)
    cfg = yaml.safe_load((folder / "config.yaml").read_text()) or {}
    cfg["question"] = {"text": "Which investment buys the most retention per pound?", "answer": "return_on_investment"}
    (folder / "config.yaml").write_text(yaml.safe_dump(cfg))
    pd.DataFrame({"job": [0, 1, 2, 3, 4], "scenario": [*names, ""],
                  "status": ["completed"] * 4 + ["failed"],
                  "error": ["", "", "", "", "ValueError: <bad> value"],
                  "folder": [str(folder / str(i)) for i in range(5)]}).to_csv(folder / "jobs.csv", index=False)
    return folder, build_report(folder).read_text(encoding="utf-8")


def test_return_on_investment_table(costed_sweep: tuple[Path, str]) -> None:
    _, text = costed_sweep
    assert '<a href="#cost">Return on investment</a>' in text
    block = text[text.index(">Return on investment</h2>"):text.index(">Figures</h2>")]
    for head in ("Rank", "Intervention", "Net cost a year", "Bank and agency saving a year", "Leavers avoided a year",
                 "Net cost per leaver avoided", "Chance of ranking first (leavers)",
                 "Adverse events avoided per 1,000 patient-days", "Net cost per adverse event avoided"):
        assert f"<th>{head}</th>" in block
    order = [block.index(f"<strong>{n}</strong>")
             for n in ("Peer support (Schwartz Rounds)", "Staffing uplift", "Better pay and terms")]
    assert order == sorted(order), "not ranked by net cost per leaver avoided"
    assert "£3,100" in block and "£1,860" in block and "£568 to £6,200" in block
    assert "benefit not distinguishable from zero" in block      # staffing uplift's ratio has no interval
    assert "no benefit" in block and "∞" not in block             # pay and terms avoids no leavers
    assert "100%" in block
    answer = text[text.index('<section id="answer">'):text.index("</section>", text.index('<section id="answer">'))]
    assert "Peer support (Schwartz Rounds) ranks first of 3 options" in answer
    assert "£1,860 (95% interval £568 to £6,200)" in answer


def test_failed_jobs_warning_box(costed_sweep: tuple[Path, str]) -> None:
    _, text = costed_sweep
    assert text.count("class='warning'") == 1
    box = text[text.index("class='warning'"):text.index("<nav>")]
    assert "1 of 5 jobs" in box and "failed" in box
    assert "ValueError: &lt;bad&gt; value" in box and "<bad>" not in box
    assert "<td>4</td>" in box and "peer_support" not in box  # only the job that did not complete
    assert text.index("class='warning'") < text.index(">Question</h2>")


def test_single_scenario_and_parameters_csv(tmp_path: Path) -> None:
    folder = make_run(tmp_path / "run", scenarios=("baseline",))
    pd.DataFrame({"key": ["exhaustion.recovery_rate"], "value": ["0.02"],
                  "evidence": ["assumption (~50 day time constant)"]}).to_csv(folder / "parameters.csv", index=False)
    text = build_report(folder).read_text(encoding="utf-8")
    assert "Single scenario" in text
    assert "Paired difference" not in text and "than baseline" not in text
    assert not (folder / "figures" / "forest.png").exists()
    assert "assumption (~50 day time constant)" in text
    # the headline metrics over time (no differences to draw), overview, each contract metric, reputation, teams
    assert len(img_srcs(text)) == 1 + 1 + len(CONTRACT_METRICS) + 1 + 1


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


@pytest.mark.parametrize("status", ["failed", "running"])
def test_cli_refuses_a_run_that_did_not_complete(tmp_path: Path, status: str) -> None:
    """A folder whose status.json does not say completed gets no report (issue 12): one line, exit 2."""
    from sim.report.build import main

    folder = make_run(tmp_path / "run", scenarios=("baseline",), levels={"vacancy_rate": 0.1})
    (folder / "status.json").write_text(json.dumps({"status": status}))
    assert main([str(folder)]) == 2
    assert not (folder / "report.html").exists()
    (folder / "status.json").write_text(json.dumps({"status": "completed"}))
    assert main([str(folder)]) == 0 and (folder / "report.html").is_file()


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


def test_team_figure_is_the_same_each_time_and_leaves_the_global_generator_alone(tmp_path: Path) -> None:
    """seaborn's jitter is drawn under a fixed seed and numpy's global state is restored."""
    from sim.report.figures import team_figure

    folder = make_run(tmp_path / "run")
    ts = pd.read_parquet(folder / "timeseries.parquet")
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    a = team_figure(ts, tmp_path / "a")
    assert np.array_equal(np.random.get_state()[1], before)
    b = team_figure(ts, tmp_path / "b")
    assert a is not None and b is not None and a.read_bytes() == b.read_bytes()
