"""The HTML report of the tiny campaign opened in a real headless browser (Debian's
chromium, driven by its command line): its first page renders, its menu lists every
category the workflow's rules put in the report, and every captioned figure and page is
listed under its category and loads when its view button is clicked.

The report is one self-contained page (a React app, the files as data URIs) with no
URL navigation of its own, so a copy of it carries WALK_SCRIPT, which clicks through the
menu as a reader would and writes what it saw into the page for --dump-dom.
"""

import html
import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import REPO, run_snakemake

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.is_file(),
                                reason="needs Debian's chromium: apt-get install -y chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars"]
WINDOW = (1280, 900)
"""Browser window (pixels) of the screenshots."""
RENDER_BUDGET_MS = 60_000
"""Virtual time the page may take (the walk pauses 100 ms after each click)."""
SHOWN_FIGURE = "glass_transition.png"
"""The figure the walked copy leaves open for its screenshot."""
SHOWN_PAGE = "provenance.html"
"""The HTML page the walked copy leaves open for its screenshot."""
FIGURE_MISMATCH = 0.03
"""Largest mean difference (fraction of full scale) between the screen and the figure
scaled by PIL instead of the browser (resampling differs at the lines' edges)."""
CALL = re.compile(r"(?<!def )\b(figure_files|report)\(")
"""Calls in the rules that put an output in the report (with a caption)."""

WALK_SCRIPT = """
(async () => {
  const chosen = decodeURIComponent(location.hash.slice(1));  // links to "#" clear it
  const pause = () => new Promise((done) => setTimeout(done, 100));
  const all = (selector) => [...document.querySelectorAll(selector)];
  const text = (element) => element.textContent.trim();
  const click = async (link) => { link.click(); await pause(); };
  const content = () => document.querySelector("#app > div > div.grow");
  const box = (element) => {
    const rectangle = element.getBoundingClientRect();
    return [rectangle.left, rectangle.top, rectangle.width, rectangle.height];
  };
  async function shown() {
    for (let tries = 0; tries < 100; tries++, await pause()) {
      const image = content().querySelector("img");
      if (image && image.complete) {
        return {element: "img", width: image.naturalWidth, height: image.naturalHeight,
                box: box(image)};
      }
      const frame = content().querySelector("iframe");
      if (frame) {
        return {element: "iframe", width: frame.clientWidth, height: frame.clientHeight,
                data_uri: frame.src.startsWith("data:"), box: box(frame)};
      }
    }
    return {element: "none"};
  }
  async function visit(category) {
    await click(all("nav ul a").find((link) => text(link) === category));
    const seen = [];
    for (let index = 0; index < all("nav table tbody tr").length; index++) {
      const row = all("nav table tbody tr")[index];
      const label = text(row.querySelector("td"));
      if (!chosen || label.endsWith("/" + chosen)) {
        await click(row.querySelector("td:last-child a"));
        seen.push({category: category, label: label, ...(await shown())});
      }
    }
    return seen;
  }
  await pause();
  const items = all("nav ul > li");
  const heading = items.findIndex((item) => text(item) === "Results" && !item.querySelector("a"));
  const walk = {menu: items.map(text), categories: items.slice(heading + 1).map(text),
                results: []};
  for (const category of walk.categories) {
    walk.results.push(...(await visit(category)));
    if (chosen && walk.results.length) break;
    await click(all("nav ol a")[0]);
  }
  const record = document.createElement("pre");
  record.id = "report-walk";
  record.textContent = JSON.stringify(walk);
  document.body.appendChild(record);
})();
"""
"""Clicks every category of the menu and, in each, the view button of every result,
noting what the content area shows; with a file name in the URL's fragment, stops once
that result is open."""


def call_arguments(text: str, opening: int) -> str:
    """The text between the parenthesis at ``opening`` and the one that closes it."""
    depth = 0
    for end in range(opening, len(text)):
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        if depth == 0:
            return text[opening + 1:end]
    raise ValueError(f"unclosed call at {opening}")


def path_name(expression: str, text: str) -> str:
    """The file name a path expression ends in (a string literal, or a name assigned one
    in the rule file ``text``)."""
    literal = re.search(r'"([^"]*/[^"]*)"', expression)
    if literal:
        return literal.group(1).rsplit("/", 1)[1]
    name = expression.strip()
    assignment = re.search(rf"^{re.escape(name)}\s*=\s*(.+)$", text, re.M)
    assert assignment, f"cannot resolve the report path {name}"
    return path_name(assignment.group(1), text)


def registered_report_files() -> set[tuple[str, str]]:
    """(category, file name) of every output the rules (workflow/rules/*.smk) put in the
    report with a caption: figure_files(name, stem, category=, caption=) registers
    <stem>.png, report(path, caption=, category=) the path."""
    registered = set()
    for rule_file in sorted((REPO / "workflow" / "rules").glob("*.smk")):
        text = rule_file.read_text()
        for call in CALL.finditer(text):
            arguments = call_arguments(text, call.end() - 1)
            category = re.search(r'category="([^"]+)"', arguments)
            if 'caption="' not in arguments or category is None:
                continue
            positional = [part for part in arguments.split(",") if "=" not in part]
            if call.group(1) == "figure_files":
                registered.add((category.group(1), path_name(positional[1], text) + ".png"))
            else:
                registered.add((category.group(1), path_name(positional[0], text)))
    return registered


def expected_report_files(campaign: Path) -> set[tuple[str, str]]:
    """(category, file name) of the registered report files the tiny campaign wrote (its
    config turns some stages off, e.g. the cooling-rate study)."""
    written = {path.name for path in (campaign / "results").rglob("*") if path.is_file()}
    expected = {(category, name) for category, name in registered_report_files()
                if name in written}
    assert {("Glass", "glass_transition.png"), ("Provenance", "provenance.html")} <= expected
    return expected


def chromium(url: str, profile: Path, *arguments: str) -> str:
    """Run headless chromium on ``url`` with a fresh profile; its standard output."""
    command = [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
               f"--window-size={WINDOW[0]},{WINDOW[1]}",
               f"--virtual-time-budget={RENDER_BUDGET_MS}", *arguments, url]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def read_screenshot(path: Path) -> np.ndarray:
    """A screenshot as an RGB array (rows, columns, 3), checked to be a PNG of WINDOW."""
    with Image.open(path) as image:
        assert (image.format, image.size) == ("PNG", WINDOW)
        return np.asarray(image.convert("RGB"))


def walk_record(dom: str) -> dict:
    """What WALK_SCRIPT saw, from the page's DOM once its virtual time ran out."""
    record = re.search(r'<pre id="report-walk">(.*?)</pre>', dom, re.S)
    assert record, "the walk did not finish within the virtual time budget"
    return json.loads(html.unescape(record.group(1)))


def vertical_offset(screen: np.ndarray, figure: np.ndarray) -> int:
    """Screen row of the figure's top where the rows' mean brightness matches best, over
    the overlaps of at least half the screen's height."""
    screen_rows, figure_rows = screen.mean(axis=(1, 2)), figure.mean(axis=(1, 2))

    def difference(top: int) -> float:
        rows = np.arange(max(top, 0), min(top + len(figure_rows), len(screen_rows)))
        return np.abs(screen_rows[rows] - figure_rows[rows - top]).mean()

    half = len(screen_rows) // 2
    return min(range(half - len(figure_rows), half), key=difference)


def on_screen(screen: np.ndarray, figure: Path, box) -> tuple[np.ndarray, np.ndarray]:
    """The screen's pixels where the page shows the image of ``box`` (left, top, width,
    height in CSS pixels, one per screen pixel) and the figure's, scaled to the box.

    Across, the box places it; down, the best match of the rows does: headless chromium
    lays the page out in a viewport shorter than the window (757 of 900 px), then for the
    screenshot in the whole window, which moves the report's vertically centred content.
    """
    left, _, width, height = np.round(box).astype(int)
    with Image.open(figure) as image:
        scaled = np.asarray(image.convert("RGB").resize((width, height), Image.LANCZOS))
    columns = slice(max(left, 0), min(left + width, screen.shape[1]))
    screen = screen[:, columns].astype(float)
    scaled = scaled[:, columns.start - left:columns.stop - left].astype(float)
    top = vertical_offset(screen, scaled)
    rows = slice(max(top, 0), min(top + height, screen.shape[0]))
    return screen[rows], scaled[rows.start - top:rows.stop - top]


def opened(walked: Path, name: str, folder: Path) -> tuple[np.ndarray, dict]:
    """A screenshot of the walked report with the result ``name`` opened, and what the
    walk saw of it."""
    path = folder / f"{Path(name).stem}.png"
    dom = chromium(f"{walked.as_uri()}#{name}", folder / "profile", "--dump-dom",
                   f"--screenshot={path}")
    [shown] = walk_record(dom)["results"]
    return read_screenshot(path), shown


@pytest.fixture(scope="module")
def report(tiny_campaign) -> Path:
    """The tiny campaign's HTML report of all its targets (its own file name, independent
    of other tests)."""
    result = run_snakemake(tiny_campaign, "--report", "report_browser.html", "all",
                           "validation")
    assert result.returncode == 0, result.stderr[-3000:]
    return tiny_campaign / "report_browser.html"


@pytest.fixture(scope="module")
def walked(report, tmp_path_factory) -> Path:
    """A copy of the report that walks itself (WALK_SCRIPT) once rendered."""
    page = report.read_text()
    end = page.rindex("</body>")
    copy = tmp_path_factory.mktemp("walk") / "report_walk.html"
    copy.write_text(page[:end] + f"<script>{WALK_SCRIPT}</script>\n" + page[end:])
    return copy


@pytest.fixture(scope="module")
def walk(walked, tmp_path_factory) -> dict:
    """The full walk: every category, result and view."""
    return walk_record(chromium(walked.as_uri(), tmp_path_factory.mktemp("profile"),
                                "--dump-dom"))


def test_first_page_renders(report, tmp_path):
    """A screenshot of the report's first page: a PNG of the window's size, not blank:
    the menu beside the workflow's coloured rule graph. Their lines and text alone cover
    3 % of it; the menu's translucent dark panel, composited by the capture only some of
    the time, 21 %."""
    path = tmp_path / "first_page.png"
    chromium(report.as_uri(), tmp_path / "profile", f"--screenshot={path}")
    pixels = read_screenshot(path)
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 100
    assert 0.01 < np.any(pixels < 240, axis=2).mean() < 0.95


def test_menu_lists_every_registered_category(walk, tiny_campaign):
    expected = {category for category, _ in expected_report_files(tiny_campaign)}
    assert set(walk["categories"]) == expected, walk["menu"]


def test_every_registered_file_is_listed_under_its_category(walk, tiny_campaign):
    listed = {(result["category"], Path(result["label"]).name) for result in walk["results"]}
    assert listed == expected_report_files(tiny_campaign)


def test_every_figure_loads_at_its_own_size(walk, tiny_campaign):
    """Each figure's view shows an image the browser decoded to the PNG's own size; each
    HTML page opens in a frame from its data URI."""
    assert walk["results"]
    for result in walk["results"]:
        path = tiny_campaign / result["label"]
        if path.suffix == ".png":
            with Image.open(path) as figure:
                assert (result["element"], result["width"], result["height"]) == \
                    ("img", *figure.size), result
        else:
            assert result["element"] == "iframe" and result["data_uri"], result
            assert result["width"] > 0 and result["height"] > 0, result


def test_opened_figure_is_on_screen(walked, tiny_campaign, tmp_path):
    """A screenshot of the report with SHOWN_FIGURE opened: where the page shows the
    image, the screen holds the figure's own pixels (scaled to the image's size) to within
    FIGURE_MISMATCH, which a blank box of the same size would not."""
    pixels, shown = opened(walked, SHOWN_FIGURE, tmp_path)
    screen, figure = on_screen(pixels, tiny_campaign / shown["label"], shown["box"])
    assert screen.size > 0.25 * np.prod(WINDOW) * 3, shown["box"]
    mismatch = np.abs(screen - figure).mean() / 255
    blank = np.abs(255.0 - figure).mean() / 255
    assert mismatch < FIGURE_MISMATCH < blank, (mismatch, blank)


def test_opened_provenance_page_is_on_screen(walked, tmp_path):
    """A screenshot of the report with SHOWN_PAGE opened: its frame shows a page of dark
    text and rules on white (the provenance table), not a blank one."""
    pixels, shown = opened(walked, SHOWN_PAGE, tmp_path)
    left, top, width, height = np.round(shown["box"]).astype(int)
    frame = pixels[max(top, 0):top + height, max(left, 0):left + width]
    assert frame.size > 0.25 * np.prod(WINDOW) * 3, shown["box"]
    assert 0.02 < np.any(frame < 128, axis=2).mean() < 0.5
