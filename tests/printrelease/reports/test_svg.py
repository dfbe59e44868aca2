"""The SVG charts: well-formed, labelled for screen readers, drawn to scale, escaped, with no style of
their own (the page's CSP allows none), for negative, zero, single and many values."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from printrelease.reports.svg import Point, bar_chart, clipped, ticks, trend_chart

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def bars(*values, labels=None) -> list[Point]:
    labels = labels or [f"부서 {n}" for n in range(len(values))]
    return [Point(label, value, f"₩{value:,}") for label, value in zip(labels, values)]


@pytest.mark.parametrize("low,high,want", [
    (0, 1940, [0, 500, 1000, 1500, 2000]),
    (0, 7, [0, 2, 4, 6, 8]),
    (0, 0, [0, 1]),
    (-1080, 2305, [-2000, -1000, 0, 1000, 2000, 3000]),
    (-50, 0, [-60, -40, -20, 0]),  # at most four steps
    (0, 12_345_678, [0, 5_000_000, 10_000_000, 15_000_000]),
])
def test_ticks_are_round_and_cover_zero_and_the_values(low, high, want):
    assert ticks(low, high) == want


def test_long_labels_are_cut_by_their_width_on_screen():
    assert clipped("기획예산과", 10) == "기획예산과"
    assert clipped("기획예산과", 9) == "기획예산…"  # Hangul takes two columns
    assert clipped("Planning and budget", 10) == "Planning …"


def test_a_bar_chart_is_labelled_escaped_and_to_scale():
    points = bars(1940, 1350, 970, labels=["민원봉사과", "<정보통신과 & 보안>", "기획예산과"])
    markup = bar_chart("c1", "부서별 순비용 (KRW)", "가장 많은 곳은 민원봉사과입니다.", points, str)
    root = parse(markup)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find("svg:title", NS).text == "부서별 순비용 (KRW)" and root.find("svg:title", NS).get("id") == "c1-title"
    assert root.find("svg:desc", NS).get("id") == "c1-desc"
    assert "style" not in markup and "<script" not in markup and "fill=" not in markup
    assert "&lt;정보통신과 &amp; 보안&gt;" in markup
    rects = root.findall(".//svg:rect", NS)
    widths = [float(r.get("width")) for r in rects]
    assert widths[0] / widths[1] == pytest.approx(1940 / 1350, rel=0.01)
    assert widths[0] / widths[2] == pytest.approx(1940 / 970, rel=0.01)
    assert len({r.get("x") for r in rects}) == 1  # every bar starts at zero
    labels = [t.text for t in root.findall(".//svg:text[@class='label']", NS)]
    assert labels == ["민원봉사과", "<정보통신과 & 보안>", "기획예산과"]
    values = [t.text for t in root.findall(".//svg:text[@class='value']", NS)]
    assert values == ["₩1,940", "₩1,350", "₩970"]
    tooltips = [g.find("svg:title", NS).text for g in root.findall(".//svg:g[@class='item']", NS)]
    assert tooltips[0] == "민원봉사과: ₩1,940"


def test_a_negative_bar_goes_left_of_the_zero_line():
    root = parse(bar_chart("c2", "t", "d", bars(500, -250), str))
    axis = root.find(".//svg:line[@class='axis']", NS)
    zero = float(axis.get("x1"))
    positive, negative = root.findall(".//svg:rect", NS)
    assert float(positive.get("x")) == pytest.approx(zero)
    assert negative.get("class") == "bar negative"
    assert float(negative.get("x")) + float(negative.get("width")) == pytest.approx(zero, abs=0.1)
    assert float(negative.get("width")) == pytest.approx(float(positive.get("width")) / 2, rel=0.01)


def test_zero_values_draw_without_dividing_by_zero():
    root = parse(bar_chart("c3", "t", "d", bars(0, 0), str))
    assert [float(r.get("width")) for r in root.findall(".//svg:rect", NS)] == [1.0, 1.0]


def test_a_trend_has_a_point_per_month_in_order_and_labels_under_them():
    values = [0, 120, 4755, 3000]
    points = [Point(label, value, f"₩{value:,}", year) for label, value, year in
              zip(["12월", "1월", "2월", "3월"], values, ["2025", "2026", "", ""])]
    markup = trend_chart("t1", "월별 순비용 (KRW)", "설명", points, lambda v: f"{v:,}")
    root = parse(markup)
    assert root.get("role") == "img" and root.find("svg:desc", NS).text == "설명"
    dots = root.findall(".//svg:circle", NS)
    xs = [float(d.get("cx")) for d in dots]
    ys = [float(d.get("cy")) for d in dots]
    assert xs == sorted(xs) and len(set(xs)) == 4
    assert ys[2] == min(ys) and ys[0] == max(ys)  # SVG's y grows downwards
    line = root.find(".//svg:polyline", NS).get("points").split()
    assert len(line) == 4 and line[2] == f"{xs[2]:.1f},{ys[2]:.1f}"
    assert [t.text for t in root.findall(".//svg:text[@class='label']", NS)] == ["12월", "1월", "2월", "3월"]
    assert [t.text for t in root.findall(".//svg:text[@class='sublabel']", NS)] == ["2025", "2026"]
    assert [t.text for t in root.findall(".//svg:text[@class='tick']", NS)] == ["0", "2,000", "4,000", "6,000"]
    assert "style" not in markup


def test_one_point_and_many_points():
    root = parse(trend_chart("t2", "t", "d", [Point("3월", 5, "₩5")], str))
    assert root.find(".//svg:polyline", NS) is None and len(root.findall(".//svg:circle", NS)) == 1
    many = [Point(f"{n}", n * 10, f"₩{n * 10}") for n in range(40)]
    root = parse(trend_chart("t3", "t", "d", many, str))
    assert len(root.findall(".//svg:circle", NS)) == 40
    assert len(root.findall(".//svg:text[@class='label']", NS)) == 10  # every fourth: 0, 4, ... 36
    negative = parse(trend_chart("t4", "t", "d", [Point("1월", -300, "-₩300"), Point("2월", 200, "₩200")], str))
    assert negative.find(".//svg:circle", NS).get("class") == "dot negative"
    assert re.fullmatch(r"0 0 \d+ \d+", negative.get("viewBox"))
