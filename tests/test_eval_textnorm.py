from emotts.eval.intelligibility import edit_distance, error_counts
from emotts.eval.textnorm import normalize_for_wer


def test_normalization_rules():
    assert normalize_for_wer("Hello, World!") == "hello world"
    assert normalize_for_wer("It's 21 degrees.") == "it's twenty one degrees"
    assert normalize_for_wer("On the 4th of June 1990") == "on the fourth of june nineteen ninety"
    assert (
        normalize_for_wer("$5 and 50% & 3.5")
        == "five dollars and fifty percent and three point five"
    )
    assert (
        normalize_for_wer("1,000 \u201cquoted\u201d twenty-one") == "one thousand quoted twenty one"
    )


def test_dotted_initialisms_are_joined():
    assert normalize_for_wer("after one p.m. and") == "after one pm and"
    assert normalize_for_wer("The U.S. Army, 1 P.M.") == "the us army one pm"
    assert normalize_for_wer("e.g. i.e.") == "eg ie"
    assert normalize_for_wer("Mr. Smith. A. Lincoln") == "mr smith a lincoln"
    assert error_counts("at 1 p.m.", "at one PM").wer == 0.0


def test_identical_text_has_zero_error():
    counts = error_counts("The cat sat on the mat.", "the cat sat on the mat")
    assert counts.wer == 0.0 and counts.cer == 0.0


def test_one_substitution_is_one_over_n():
    counts = error_counts("the cat sat on the mat", "the dog sat on the mat")
    assert counts.word_errors == 1 and counts.words == 6
    assert abs(counts.wer - 1 / 6) < 1e-12


def test_spelled_and_written_numbers_match():
    assert error_counts("I have 3 apples", "I have three apples").wer == 0.0


def test_edit_distance():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance([], ["a", "b"]) == 2
