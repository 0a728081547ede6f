"""The brief's answer paragraph: whole when short, cut at a sentence when long."""
from sim.report.brief import brief_answer


def test_short_answer_is_whole() -> None:
    assert brief_answer("One sentence. Two sentences.", limit=100) == "One sentence. Two sentences."


def test_long_answer_is_cut_at_a_sentence_and_points_to_the_report() -> None:
    text = "First has 1.98 pp in it. Second sentence here. Third one is long enough to go over."
    out = brief_answer(text, limit=50)
    assert out == "First has 1.98 pp in it. Second sentence here. The full answer, for every option, is in the report."


def test_one_long_sentence_is_cut_at_a_word() -> None:
    out = brief_answer("word " * 40, limit=22)
    assert out.startswith("word word word word …") and out.endswith("is in the report.")
