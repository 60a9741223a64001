"""Environments' timers: called at their deadline from one thread, never once cancelled."""
import threading
import time

from stagegraph_localstack.timers import Scheduler, ScheduledTimer


def test_timers_fire_in_deadline_order_and_cancelled_ones_never():
    scheduler = Scheduler(workers=1)
    fired: list[str] = []
    done = threading.Event()
    timers = {name: ScheduledTimer(delay, fired.append, [name], scheduler=scheduler)
              for name, delay in (("late", 0.15), ("early", 0.05), ("cancelled", 0.1))}
    last = ScheduledTimer(0.2, done.set, scheduler=scheduler)
    started = time.monotonic()
    timers["cancelled"].start()
    timers["cancelled"].cancel()
    for timer in (timers["late"], timers["early"], last):
        timer.start()

    assert done.wait(5)
    assert fired == ["early", "late"]
    assert time.monotonic() - started >= 0.2
    # cancelling one that has fired changes nothing
    timers["early"].cancel()
    assert scheduler.pending() == 0


def test_a_timer_started_before_the_earliest_wakes_the_scheduler():
    scheduler = Scheduler(workers=1)
    ScheduledTimer(60, lambda: None, scheduler=scheduler).start()
    soon = threading.Event()
    ScheduledTimer(0.01, soon.set, scheduler=scheduler).start()
    assert soon.wait(2), "the scheduler slept until the 60 s timer"


def test_a_heap_of_cancelled_keepalives_is_compacted():
    scheduler = Scheduler(workers=1)
    # one keepalive per invocation, each cancelled by the next invocation
    for _ in range(10_000):
        timer = ScheduledTimer(600, lambda: None, scheduler=scheduler)
        timer.start()
        timer.cancel()
    assert len(scheduler._heap) <= 200
    assert scheduler.pending() == 0


def test_an_unstarted_timer_can_be_cancelled():
    # LocalStack creates Timer(0, ...) as a placeholder and cancels it without starting it.
    scheduler = Scheduler(workers=1)
    ScheduledTimer(0, lambda: None, scheduler=scheduler).cancel()
    assert scheduler._heap == []
