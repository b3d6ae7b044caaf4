"""Watch mode: the latest scan re-judged as the code and the state change, and live rescans on an interval.

view.py  what is still open of a scan's drift, judged against today's state and configuration
loop.py  the watchdog observer, the interval rescans, errors reported and retried
"""
