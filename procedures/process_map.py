"""Lay the process map out for drawing: the classic ISO picture in three bands.

Management processes on top, core (service) processes in the middle between the citizens'
requirements (left) and the results delivered (right), support processes at the bottom;
each hand-over is an arrow between two boxes. The layout is computed here, the template
only draws it (inline SVG: no script, prints as it is, readable by screen readers through
the table of hand-overs next to it).
"""

from __future__ import annotations

from dataclasses import dataclass

from procedures.choices import ProcessType

BOX_W, BOX_H = 190, 66
GAP_X, GAP_Y = 40, 56
SIDE = 150  # the requirement / result arrows on both sides of the core band
TOP = 36  # room for a band's title
BANDS = (ProcessType.MANAGEMENT, ProcessType.CORE, ProcessType.SUPPORT)


@dataclass
class Box:
    process: object
    x: int
    y: int
    width: int = BOX_W
    height: int = BOX_H

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2

    @property
    def text_lines(self) -> list[tuple[int, str]]:
        """(y, text) of each line of the name, under the code line."""
        return [(self.y + 32 + 14 * index, line) for index, line in enumerate(self.lines())]

    def lines(self, size: int = 24) -> list[str]:
        """The name wrapped in at most three lines of about ``size`` characters."""
        words, lines, line = self.process.name.split(), [], ""
        for word in words:
            if line and len(line) + 1 + len(word) > size:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        if line:
            lines.append(line)
        if len(lines) > 3:
            lines = [*lines[:2], lines[2][: size - 1] + "…"]
        return lines


@dataclass
class Arrow:
    path: str  # SVG path data, numbers with "." whatever the language
    source: object
    target: object


@dataclass
class Band:
    kind: str
    label: str
    y: int
    height: int
    boxes: list[Box]


def _edge(box: Box, toward_x: float, toward_y: float) -> tuple[float, float]:
    """Where the segment from the box's centre toward a point leaves the box."""
    dx, dy = toward_x - box.cx, toward_y - box.cy
    if dx == 0 and dy == 0:
        return box.cx, box.cy
    scale = min(
        (box.width / 2) / abs(dx) if dx else float("inf"),
        (box.height / 2) / abs(dy) if dy else float("inf"),
    )
    return box.cx + dx * scale, box.cy + dy * scale


def _path(source: Box, target: Box) -> str:
    """A straight arrow between bands; within a band an arc over the boxes in between, so
    it never crosses them (left to right above the row, right to left below it)."""
    if source.y == target.y:
        rightward = target.cx > source.cx
        y = source.y if rightward else source.y + source.height
        bend = -1 if rightward else 1
        lift = 18 + abs(target.cx - source.cx) * 0.12
        x1 = source.cx + (12 if rightward else -12)
        x2 = target.cx - (12 if rightward else -12)
        return f"M{x1:.1f},{y:.1f} Q{(x1 + x2) / 2:.1f},{y + bend * lift:.1f} {x2:.1f},{y:.1f}"
    x1, y1 = _edge(source, target.cx, target.cy)
    x2, y2 = _edge(target, source.cx, source.cy)
    return f"M{x1:.1f},{y1:.1f} L{x2:.1f},{y2:.1f}"


def layout(processes: list) -> dict:
    per_band = {kind: [p for p in processes if p.process_type == kind] for kind in BANDS}
    columns = max([len(items) for items in per_band.values()] + [1])
    inner = columns * BOX_W + (columns - 1) * GAP_X
    width = inner + 2 * SIDE
    bands, boxes, y = [], {}, 0
    labels = dict(ProcessType.choices)
    for kind in BANDS:
        items = per_band[kind]
        row_width = len(items) * BOX_W + max(len(items) - 1, 0) * GAP_X
        x = SIDE + (inner - row_width) // 2
        band_boxes = []
        for process in items:
            box = Box(process=process, x=x, y=y + TOP)
            boxes[process.pk] = box
            band_boxes.append(box)
            x += BOX_W + GAP_X
        height = TOP + BOX_H + GAP_Y // 2
        bands.append(Band(kind=kind, label=labels[kind], y=y, height=height, boxes=band_boxes))
        y += height + GAP_Y // 2
    arrows = []
    for process in processes:
        source = boxes.get(process.pk)
        for target_process in process.hands_over_to.all():
            target = boxes.get(target_process.pk)
            if source is None or target is None:
                continue
            arrows.append(Arrow(_path(source, target), source=process, target=target.process))
    core = bands[1]
    return {
        "width": width,
        "height": max(y, 1),
        "bands": bands,
        "arrows": arrows,
        "core_y": core.y + TOP + BOX_H / 2,
        "side": SIDE,
        "inner_right": SIDE + inner,
    }
