"""A scan of everything the system logged and traced during a test session for the personal data the
session sent it: delivery address lines, postcodes, contact phones, address notes, webhook secrets and
watch tokens.

* :mod:`privacy_scan.needles`: the values to look for, collected from each order a test sends and each
  202 it gets back, with the test that sent them; values too generic to scan for are counted, not kept.
* :mod:`privacy_scan.matcher`: finds many values at once in many texts (log lines, span fields).
* :mod:`privacy_scan.sources`: the texts: CloudWatch Logs, files, spans, log records.
* :mod:`privacy_scan.session`: the glue that records orders through a pytest session and scans before
  the embedded stack is torn down (tests/conftest.py), failing the run on a hit.
"""
