"""The service guide's screen changes with real content, and tap → slip bytes, against baselines
measured in the same run.

``bench_screens`` visits every screen empty; this one walks the guide as a citizen does: each
category's item list (a RecycleView filled with that category's rows), every item's page (its
sections, materials, bundle buttons and QR built for that item) entered from the list, and each
bundle link followed on the page itself. Each change is timed from the flow's step to the first
frame drawn. Baselines, same process and display: a bare ScreenManager switching between two
empty screens and drawing a frame, and the queue's item list (the shipped screen closest to the
guide's). Slip: building the page's words, the slip and its ESC/POS bytes for every item
(printing excluded), against encoding the same text as GB18030 alone.

Targets: every guide change p99 ≤ 100 ms (the design's bar for any screen change, first visits
included), the slip's bytes p99 ≤ 50 ms (the ticket's bar). Exits 1 when one is missed; the
display and the temporary folder are removed in every case.

    .venv/bin/python bench/bench_guide.py [ROUNDS]
"""

from __future__ import annotations

import statistics
import sys
import time

from ui_harness import RunningApp, percentile, running_app  # bench/ is on sys.path

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
TARGET_MS = 100.0
SLIP_TARGET_MS = 50.0


def main() -> int:
    with running_app("bench-guide-") as run:
        return measure(run)


def measure(run: RunningApp) -> int:
    from drivers.printer.escpos_render import render_escpos
    from drivers.printer.profile import PrinterProfile
    from kiosk.flows.guide_page import guide_page
    from kiosk.receipts.guide import guide_slip

    app, ctx, frames, timed = run.app, run.ctx, run.frames, run.timed
    guide, queue, catalogue = ctx.flows.guide, ctx.flows.queue, ctx.catalogue

    run.settle()  # home is up and the app's warm-up has loaded the other screens behind it
    ctx.catalogue.warm_up()
    lists: list[float] = []
    pages: list[float] = []
    links: list[float] = []
    queue_lists: list[float] = []
    for _ in range(ROUNDS):
        for category in catalogue.categories:
            app.go("guide")
            frames(2)
            lists.append(timed(lambda c=category.code: (guide.choose_category(c),
                                                       app.go("guide_items"))))
            frames(1)
            for item in catalogue.items_in(category.code):
                app.go("guide_items")
                frames(2)
                pages.append(timed(lambda i=item.id: (guide.choose_item(i),
                                                      app.go("guide_item"))))
                frames(1)
                for member in item.bundle:
                    links.append(timed(lambda m=member: guide.follow(m)))
                    frames(1)
                    guide.back()
                    frames(2)
            app.go("queue")
            frames(2)
            queue_lists.append(timed(lambda c=category.code: (queue.choose_category(c),
                                                             app.go("queue_items"))))
            frames(1)

    slips: list[float] = []
    encodes: list[float] = []
    profile = PrinterProfile()
    now = guide.hall_now()
    for _ in range(ROUNDS * 10):
        for item in catalogue.items:
            started = time.perf_counter()
            slip = guide_slip(guide_page(item, catalogue, "zh"), ctx.config.hall, "zh", now)
            render_escpos(slip, profile)
            slips.append((time.perf_counter() - started) * 1000)
            text = slip.plain_text()
            started = time.perf_counter()
            text.encode("gb18030")
            encodes.append((time.perf_counter() - started) * 1000)

    base = run.bare_baseline(ROUNDS * 20)

    b99 = percentile(base, 0.99)
    print(f"baseline bare ScreenManager: switch + frame p50 {statistics.median(base):.1f} ms, "
          f"p99 {b99:.1f} ms")
    print(f"{'change':34s} {'n':>4s} {'p50':>7s} {'p99':>7s} {'p99/bare':>9s}")
    worst = 0.0
    for label, values in (("queue item list (baseline)", queue_lists),
                          ("guide item list (RecycleView)", lists),
                          ("guide item page, from the list", pages),
                          ("guide bundle link, same screen", links)):
        p99 = percentile(values, 0.99)
        if not label.startswith("queue"):
            worst = max(worst, p99)
        print(f"{label:34s} {len(values):4d} {statistics.median(values):6.1f}  {p99:6.1f} "
              f"{p99 / b99:8.2f}x")
    s99 = percentile(slips, 0.99)
    print(f"slip words + ESC/POS bytes, {len(slips)} slips: p50 {statistics.median(slips):.2f} ms,"
          f" p99 {s99:.2f} ms (bare GB18030 encode of the same text p50 "
          f"{statistics.median(encodes):.3f} ms)")
    ok = worst <= TARGET_MS and s99 <= SLIP_TARGET_MS
    print(f"worst guide change p99 {worst:.1f} ms (target ≤ {TARGET_MS:.0f} ms), slip p99 "
          f"{s99:.2f} ms (target ≤ {SLIP_TARGET_MS:.0f} ms): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
