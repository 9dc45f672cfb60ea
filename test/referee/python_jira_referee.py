"""Independent referee: Debian's python3-jira (pycontribs/jira 3.4.1) against the Jira emulator.

Usage: python3 python_jira_referee.py <base-url>
Exercises what a real Jira client does: create, paged search, comment, attach, transition,
worklog, properties and user search. Prints one JSON line of results; exits 1 on a mismatch.
"""
import io
import json
import sys

from jira import JIRA

base = sys.argv[1]
results = {}


def check(name, condition, detail=""):
    results[name] = bool(condition)
    if not condition:
        print(json.dumps({"failed": name, "detail": str(detail), "results": results}))
        sys.exit(1)


jira = JIRA(server=base, basic_auth=("admin", "admin"), options={"check_update": False})
info = jira.server_info()
check("server_info", info["deploymentType"] == "Server" and len(info["versionNumbers"]) == 3, info)

me = jira.myself()
check("myself", me["name"] == "admin" and me["key"].startswith("JIRAUSER"), me)

issue = jira.create_issue(project="CE", summary="referee issue", issuetype={"name": "Bug"}, description="from python-jira")
check("create", issue.key.startswith("CE-") and isinstance(issue.id, str), issue.raw)
fetched = jira.issue(issue.key)
check("get", fetched.fields.summary == "referee issue" and fetched.fields.status.name == "Open", fetched.raw.get("fields", {}).get("status"))

total = jira.search_issues("project = CE", maxResults=0).total
everything = jira.search_issues("project = CE ORDER BY key ASC", maxResults=False, fields="summary")
keys = [i.key for i in everything]
check("search_paging_all", len(keys) == total and len(set(keys)) == total and total > 50, (len(keys), total))
page = jira.search_issues("project = CE ORDER BY key ASC", startAt=10, maxResults=5, fields="summary")
check("search_page", [i.key for i in page] == keys[10:15], [i.key for i in page])

comment = jira.add_comment(issue, "referee comment")
check("comment", comment.body == "referee comment" and isinstance(comment.id, str))
check("comments", [c.id for c in jira.comments(issue)] == [comment.id])

attachment = jira.add_attachment(issue=issue, attachment=io.BytesIO(b"referee bytes"), filename="referee.txt")
check("attach", attachment.filename == "referee.txt" and attachment.size == len(b"referee bytes"), attachment.raw)
check("attachment_bytes", attachment.get() == b"referee bytes")

transitions = {t["name"]: t["id"] for t in jira.transitions(issue)}
check("transitions", "Start Progress" in transitions, transitions)
jira.transition_issue(issue, transitions["Start Progress"])
check("transitioned", jira.issue(issue.key).fields.status.name == "In Progress")

worklog = jira.add_worklog(issue, timeSpent="1h 30m", comment="referee work")
check("worklog", worklog.timeSpentSeconds == 5400, worklog.raw)
check("worklogs", [w.id for w in jira.worklogs(issue)] == [worklog.id])

jira.add_issue_property(issue, "referee.prop", {"answer": 42})
check("property", jira.issue_property(issue, "referee.prop").value.answer == 42)
check("properties", "referee.prop" in [p.key for p in jira.issue_properties(issue)])

users = jira.search_users(user="jira")
check("user_search", [u.name for u in users] == ["jiradev"], [u.name for u in users])

print(json.dumps({"ok": True, "results": results}))
