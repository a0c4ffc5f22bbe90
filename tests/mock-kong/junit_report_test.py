#!/usr/bin/env python3
"""mock-kong --junit writes JUnit XML that an XML parser reads as CI
dashboards do: counts, one testcase per case with its time, the mismatches
and PDK calls of a failure, the plugin's output in system-out.

Usage: junit_report_test.py MOCK_KONG TEST_PLUGIN WORK_DIR"""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

mock_kong, plugin, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
fixture = os.path.join(work, "junit-fixture.json")
report = os.path.join(work, "report.xml")
with open(fixture, "w") as f:
    json.dump({"config": {"mode": "print"}, "cases": [
        {"name": "passes", "request": {"url": "http://a.test/"},
         "expect": {"response": {"headers": {"x-hello": "hi a.test"}}}},
        {"name": "fails <with> & \"markup\"", "request": {"url": "http://b.test/"},
         "expect": {"response": {"status": 201}}},
        {"name": "passes too", "request": {"url": "http://c.test/"}},
        {"name": "crashes", "request": {"url": "http://crash.test/"}},
    ]}, f)

run = subprocess.run([mock_kong, "--replay", fixture, "--junit", report, plugin],
                     capture_output=True, text=True, timeout=60)
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)


check(run.returncode == 1, f"exit status 1 for failing cases, got {run.returncode}")
root = ET.parse(report).getroot()
check(root.tag == "testsuites", f"root element testsuites, got {root.tag}")
suites = root.findall("testsuite")
check(len(suites) == 1, f"one testsuite per fixture, got {len(suites)}")
suite = suites[0]
for element in (root, suite):
    check(element.get("tests") == "4", f"{element.tag} tests=4, got {element.get('tests')}")
    check(element.get("failures") == "1", f"{element.tag} failures=1, got {element.get('failures')}")
    check(element.get("errors") == "1", f"{element.tag} errors=1, got {element.get('errors')}")
check(suite.get("name") == fixture, f"testsuite named after the fixture, got {suite.get('name')}")
cases = {c.get("name"): c for c in suite.findall("testcase")}
check(list(cases) == ["passes", "fails <with> & \"markup\"", "passes too", "crashes"],
      f"a testcase per case in fixture order, got {list(cases)}")
for name, case in cases.items():
    check(float(case.get("time", "-1")) >= 0, f"{name}: a time in seconds")
    check(case.get("classname") == "junit-fixture", f"{name}: classname junit-fixture")
failed = cases["fails <with> & \"markup\""].find("failure")
check(failed is not None, "the failing case has a <failure>")
if failed is not None:
    check(failed.get("message") == "expect.response.status: expected 201, got 200",
          f"failure message is the mismatch, got {failed.get('message')}")
    check("expect.response.status: expected 201, got 200" in failed.text, "failure text: mismatch")
    check('kong.response.set_header(["x-hello", "hi b.test"]) -> nil' in failed.text,
          "failure text: the PDK calls")
    check("response 200 (service)" in failed.text, "failure text: the final response")
check(cases["passes"].find("failure") is None, "a passing case has no <failure>")
error = cases["crashes"].find("error")
check(error is not None and "was killed by signal 11 (SIGSEGV)" in error.get("message", ""),
      "the case the plugin server crashed in is an <error> saying how")
check(error is not None and error.get("type") == "plugin server crashed",
      f"its type names the fault, got {error.get('type') if error is not None else None}")
out = cases["passes too"].find("system-out")
check(out is not None and "printed for c.test" in out.text,
      "system-out holds what the plugin printed during the case")
check("printed for c.test" not in (cases["passes"].findtext("system-out") or ""),
      "another case's output is not in system-out")

for f in failures:
    print("FAIL:", f)
print(f"{len(failures)} checks failed" if failures else "all checks passed")
sys.exit(1 if failures else 0)
