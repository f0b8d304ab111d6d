"""The docstrings of the jsii-built Python package, as `help()` and IDEs show them.

jsii-pacmak turns the doc comments' markdown into reStructuredText; text like `<imageName>`
outside a code span is read as an HTML tag there and dropped, and jsii ends a summary at the
first '?' followed by a space. Runs against the installed wheel (see .ci/run).
"""
import inspect

import pytest

import cdk_golden_ami as golden


def docstrings():
    """(where, docstring) of every public class of the package, its members and their properties."""
    found = []
    for class_name, cls in inspect.getmembers(golden, inspect.isclass):
        if class_name.startswith("_"):
            continue
        found.append((class_name, inspect.getdoc(cls) or ""))
        for member_name, member in vars(cls).items():
            if member_name.startswith("_") and member_name != "__init__":
                continue
            target = member.fget if isinstance(member, property) else getattr(member, "__func__", member)
            doc = inspect.getdoc(target) if callable(target) else None
            if doc:
                found.append((f"{class_name}.{member_name}", doc))
    return found


DOCSTRINGS = docstrings()
ALL_TEXT = "\n".join(doc for _, doc in DOCSTRINGS)


def doc_of(where):
    matches = [doc for name, doc in DOCSTRINGS if name == where]
    assert matches, f"no docstring for {where}"
    return "\n".join(matches)


def test_docstrings_were_found():
    # Guards the tests below against checking nothing.
    assert len(DOCSTRINGS) > 200
    assert "GoldenImageProps.__init__" in dict(DOCSTRINGS)


@pytest.mark.parametrize("where, shown", [
    ("GoldenImageProps.__init__", "'/golden-ami/<imageName>/latest'"),
    ("GoldenImageProps.__init__", "'<imageName>-{{ imagebuilder:buildDate }}'"),
    ("GoldenImageProps.ssm_parameter_name", "'/golden-ami/<imageName>/latest'"),
    ("GoldenImageProps.ami_name", "'<imageName>-{{ imagebuilder:buildDate }}'"),
    ("EcsApplicationImageProps.ssm_parameter_name", "'/golden-ami/<imageName>/latest'"),
    ("HardenedBaseRecipeProps.description", "'<OS> <architecture>, <hardening> hardening, with agents'"),
    ("CloudWatchAgentOptions.log_group_prefix", "'/golden-ami/<recipe name>'"),
    ("ImageSharing.organization", "arn:aws:organizations::<management account>:organization/o-xxxx"),
    ("PipelineSchedule.expression", "cron(<minute> <hour> <day> <month> <day of week> <year>)"),
    ("PipelineSchedule.expression", "cron(0 4 ? * SUN *)"),
])
def test_placeholders_and_examples_are_shown_whole(where, shown):
    assert shown in doc_of(where)


@pytest.mark.parametrize("lost", [
    "/golden-ami//latest",
    "'-{{ imagebuilder:buildDate }}'",
    "' , hardening",
    "/golden-ami/'",
    "organizations:::",
])
def test_no_docstring_shows_a_value_with_its_placeholder_dropped(lost):
    assert [where for where, doc in DOCSTRINGS if lost in doc] == []


def test_no_docstring_cuts_the_cron_example():
    cut = [where for where, doc in DOCSTRINGS if "cron(0 4 ?" in doc and "cron(0 4 ? * SUN *)" not in doc]
    assert cut == []
