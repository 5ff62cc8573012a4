"""Reading a log and splitting it by student."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from students.kt.data import AttemptLog, LogError, LogRow, read_log, split_by_student

SIM_LOG = Path(__file__).parent / "data" / "sim_log.csv"


def test_the_simulated_log_reads_in_each_students_order():
    # when
    log = read_log(SIM_LOG)
    # then rows are grouped by student and ordered by position
    assert len(log) > 200
    for u in np.unique(log.user):
        assert np.all(np.diff(log.position[log.user == u]) > 0)


def test_the_split_is_by_student_and_deterministic_by_seed():
    # given the simulated log
    log = read_log(SIM_LOG)
    # when split twice with one seed and once with another
    train, test = split_by_student(log, 0.25, seed=3)
    train2, test2 = split_by_student(log, 0.25, seed=3)
    _, test3 = split_by_student(log, 0.25, seed=4)
    # then no student is on both sides, every row is somewhere, and the seed decides
    train_users, test_users = set(train.user.tolist()), set(test.user.tolist())
    assert not train_users & test_users
    assert len(train) + len(test) == len(log)
    assert len(test_users) == round(0.25 * len(np.unique(log.user)))
    assert test_users == set(test2.user.tolist()) and np.array_equal(train.position, train2.position)
    assert test_users != set(test3.user.tolist())


def test_a_split_needs_a_fraction_strictly_between_0_and_1():
    with pytest.raises(ValueError, match="test_frac"):
        split_by_student(read_log(SIM_LOG), 1.0, seed=0)


def test_rows_are_sorted_by_position_whatever_their_order_in_the_file():
    # given rows in scrambled order
    rows = [
        LogRow("u", 2, 1, "p2", "b", 0.0),
        LogRow("u", 0, 0, "p1", "a", 1.0),
        LogRow("u", 1, 0, "p1", "b", 1.0),
    ]
    # when
    log = AttemptLog.from_rows(rows)
    # then
    assert log.position.tolist() == [0, 1, 2]
    assert [(u, s, e) for u, s, e in log.answers()] == [(0, 0, 2), (0, 2, 3)]


def test_a_log_without_a_column_names_it(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("user_id,position,problem_id,skill_name,correct\nu,0,p,s,1\n")
    with pytest.raises(LogError, match="attempt_idx"):
        read_log(path)


def test_a_score_outside_0_1_names_its_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("user_id,position,attempt_idx,problem_id,skill_name,correct\nu,0,0,p,s,1\nu,1,1,p,s,2\n")
    with pytest.raises(LogError, match="line 3"):
        read_log(path)


def test_sibling_rows_that_disagree_are_refused():
    rows = [LogRow("u", 0, 0, "p1", "a", 1.0), LogRow("u", 1, 0, "p1", "b", 0.0)]
    with pytest.raises(LogError, match="must share"):
        AttemptLog.from_rows(rows)
