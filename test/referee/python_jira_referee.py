"""Independent referee: Debian's python3-jira (pycontribs/jira 3.4.1) against the Jira emulator.

Usage: python3 python_jira_referee.py <base-url>
Exercises what a real Jira client does: create, paged search, comments, attachments, transitions,
worklogs, properties, user search, watchers, votes, remote links, issue links, components and
versions, each created, read, changed and deleted as the client does it. Prints one JSON line of
results; exits 1 on a mismatch.
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

# Changes and deletions, through the resources' own methods (python3-jira sends
# Content-Type: application/json on every call, bodiless DELETEs included).
comment.update(body="referee comment, edited")
check("comment_update", jira.comment(issue, comment.id).body == "referee comment, edited")
comment.delete()
check("comment_delete", jira.comments(issue) == [])
history = jira.issue(issue.key, expand="changelog").changelog.histories
check("comment_delete_history", any(i.field == "Comment" and i.fromString == "referee comment, edited" for h in history for i in h.items))
attachment.delete()
check("attachment_delete", jira.issue(issue.key).fields.attachment == [])
worklog.update(timeSpent="2h")
check("worklog_update", jira.worklog(issue, worklog.id).timeSpentSeconds == 7200)
worklog.delete()
check("worklog_delete", jira.worklogs(issue) == [])

jira.add_watcher(issue, "jiradev")
check("watcher_add", "jiradev" in [w.name for w in jira.watchers(issue).watchers])
jira.remove_watcher(issue, "jiradev")
check("watcher_remove", "jiradev" not in [w.name for w in jira.watchers(issue).watchers])

voter = JIRA(server=base, basic_auth=("jiradev", "jiradev"), options={"check_update": False})
voter.add_vote(issue.key)
votes = jira.votes(issue.key)
check("vote_add", votes.votes == 1 and [v.name for v in votes.voters] == ["jiradev"], votes.raw)
voter.remove_vote(issue.key)
check("vote_remove", jira.votes(issue.key).votes == 0)

link = jira.add_simple_link(issue, {"url": "https://example.com/ticket/1", "title": "Ticket 1"})
check("remote_link_add", [l.object.url for l in jira.remote_links(issue)] == ["https://example.com/ticket/1"])
check("remote_link_get", jira.remote_link(issue, link.id).object.title == "Ticket 1")
jira.delete_remote_link(issue, internal_id=link.id)
check("remote_link_delete", jira.remote_links(issue) == [])

other = jira.create_issue(project="CE", summary="referee other", issuetype={"name": "Task"})
jira.create_issue_link("blocks", issue.key, other.key)
links = jira.issue(issue.key).fields.issuelinks
check("issue_link_add", len(links) == 1 and links[0].type.name == "Blocks" and links[0].outwardIssue.key == other.key, [l.raw for l in links])
check("issue_link_get", jira.issue_link(links[0].id).inwardIssue.key == issue.key)
jira.delete_issue_link(links[0].id)
check("issue_link_delete", jira.issue(issue.key).fields.issuelinks == [])

component = jira.create_component("Referee", "CE", description="made by the referee")
check("component_add", "Referee" in [c.name for c in jira.project_components("CE")])
component.update(description="changed by the referee")
check("component_update", jira.component(component.id).description == "changed by the referee")
component.delete()
check("component_delete", "Referee" not in [c.name for c in jira.project_components("CE")])

version = jira.create_version("9.9", "CE", description="referee version", releaseDate="2030-01-01")
check("version_add", [v.name for v in jira.project_versions("CE")] == ["9.9"])
version.update(released=True)
check("version_update", jira.version(version.id).released is True)
version.delete()
check("version_delete", jira.project_versions("CE") == [])

print(json.dumps({"ok": True, "results": results}))
