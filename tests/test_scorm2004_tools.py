"""Issue 11: the package tools on SCORM 2004 packages: `validate` with the official schemas, `diff` of two builds,
`explain` of a saved state copied from a SCORM 2004 run."""

from __future__ import annotations

import json

from tests.conftest import run_cli

# cmi.suspend_data as the preview's SCORM 2004 LMS stored it after a whole run of the fixture set (every page,
# answers a / ac / a, one reflection, finished: passed): what support staff copy from a track report.
COPIED_STATE = ('{"v":1,"l":"7vrt6","p":"hjocfx2zkag4hyx6u6dn7vrt6","a":{"3sso0":"ac","ewjqh":"a","yhte2":"a"},'
                '"r":{"ygo9f":"I will ask one open question a day."},"d":"p"}')


def test_validate_accepts_both_builds_with_the_official_schemas(fixture_build, shared):
    packages = [fixture_build[mode]["scorm2004"] for mode in ("set", "module")]
    result = run_cli("validate", "--schemas", shared / "schemas", *packages)
    assert result.exit_code == 0, result.output
    assert result.stdout.count(": scorm2004: valid") == 2


def test_diff_of_two_builds_names_the_sco_changes_that_reset_progress(fixture_build):
    result = run_cli("diff", fixture_build["set"]["scorm2004"], fixture_build["module"]["scorm2004"], "--json")
    assert result.exit_code == 1, result.output
    report = json.dumps(json.loads(result.stdout))
    assert "ITEM-every-block" in report and "ITEM-first-steps" in report and "RES-every-block" in report
    same = run_cli("diff", fixture_build["set"]["scorm2004"], fixture_build["set"]["scorm2004"])
    assert same.exit_code == 0 and "Verdict: safe." in same.stdout


def test_explain_reads_a_state_copied_from_a_scorm2004_run(fixture_build):
    result = run_cli("explain", COPIED_STATE, "--package", fixture_build["set"]["scorm2004"], "--json")
    assert result.exit_code == 0, result.output
    explained = json.loads(result.stdout)
    assert all(page["done"] for page in explained["pages"]) and len(explained["pages"]) == 5
    assert {a["id"]: a["response"] for a in explained["answers"]} == {
        "first-steps/pick-b": "a", "first-steps/which-of-these-are-vowels": "ac",
        "second-steps/is-this-the-last-page": "a"}
    assert explained["bookmark"] == "second-steps/wrapping-up" and explained["finished"] == "passed"
    text = run_cli("explain", COPIED_STATE, "--package", fixture_build["set"]["scorm2004"]).stdout
    assert "Questions: 3 of 3 answered, 2 right" in text


def _manifest(path):
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("imsmanifest.xml"))


NS = {"cp": "http://www.imsglobal.org/xsd/imscp_v1p1", "ss": "http://www.imsglobal.org/xsd/imsss",
      "nav": "http://www.adlnet.org/xsd/adlnav_v1p3"}


def test_the_manifest_sequencing_says_what_the_runtime_relies_on(fixture_build, course_build):
    """Issue 11: one SCO per set: the content sets completion and success (the pass mark as minNormalizedMeasure,
    satisfied by measure) and the LMS hides its own previous/continue, the package navigating itself; one SCO per
    module: a flow the learner may also move through by choice, one item per module in order."""
    whole = _manifest(fixture_build["set"]["scorm2004"])
    items = whole.findall(".//cp:organization/cp:item", NS)
    assert len(items) == 1
    objective = items[0].find("ss:sequencing/ss:objectives/ss:primaryObjective", NS)
    assert objective.get("satisfiedByMeasure") == "true"
    assert objective.findtext("ss:minNormalizedMeasure", namespaces=NS) == "0.5"  # pass_mark = 50
    controls = items[0].find("ss:sequencing/ss:deliveryControls", NS)
    assert (controls.get("completionSetByContent"), controls.get("objectiveSetByContent")) == ("true", "true")
    assert [e.text for e in items[0].findall("nav:presentation/nav:navigationInterface/nav:hideLMSUI", NS)] == [
        "previous", "continue"]

    per_module = _manifest(fixture_build["module"]["scorm2004"])
    organization = per_module.find(".//cp:organization", NS)
    mode = organization.find("ss:sequencing/ss:controlMode", NS)
    assert (mode.get("choice"), mode.get("flow")) == ("true", "true")
    assert [i.get("identifier") for i in organization.findall("cp:item", NS)] == ["ITEM-first-steps",
                                                                               "ITEM-second-steps"]
    innovation = _manifest(course_build[("leading-for-innovation", "scorm2004")])
    assert innovation.findtext(".//ss:primaryObjective/ss:minNormalizedMeasure", namespaces=NS) == "0.7"


def test_every_set_of_the_course_keeps_reflections_of_2000_characters_in_scorm_2004(tmp_path):
    """Issue 11: SCORM 2004's 64,000 characters give every set of the real course reflections of at least 2,000
    characters in the proved worst case (SCORM 1.2's 4,096 gave 159 in the largest)."""
    from tests.conftest import REPO

    result = run_cli("build", "--format", "scorm2004", "--out", tmp_path, "--json", root=REPO)
    assert result.exit_code == 0, result.output
    packages = json.loads(result.stdout)["packages"]
    assert len(packages) == 5
    for package in packages:
        for budget in package["suspend_data"]:
            assert budget["reflection_max"] >= 2000 and budget["worst_case"] <= budget["limit"] == 64000, package
