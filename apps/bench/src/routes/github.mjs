// A realistic route table for the router micro-benchmark: ~300 routes modelled on GitHub's REST API
// (https://docs.github.com/en/rest), in `:param` syntax with `*` as a trailing wildcard. Where GitHub
// takes a value that may contain slashes (a file path, a git ref), the route ends in a wildcard.
// Parameter names are the same at the same position, so every router accepts the table as is.

const TABLE = `
GET /
GET /meta
GET /rate_limit
GET /octocat
GET /zen
GET /versions
GET /emojis
GET /events
GET /feeds
GET /organizations
GET /repositories
GET /gitignore/templates
GET /gitignore/templates/:name
GET /licenses
GET /licenses/:license
GET /codes_of_conduct
GET /codes_of_conduct/:key
POST /markdown
POST /markdown/raw
GET /notifications
PUT /notifications
GET /notifications/threads/:thread_id
PATCH /notifications/threads/:thread_id
GET /search/code
GET /search/commits
GET /search/issues
GET /search/labels
GET /search/repositories
GET /search/topics
GET /search/users
GET /app
GET /app/installations
GET /app/installations/:installation_id
DELETE /app/installations/:installation_id
POST /app/installations/:installation_id/access_tokens
GET /app/hook/config
PATCH /app/hook/config
GET /apps/:app_slug
GET /installation/repositories
GET /gists
POST /gists
GET /gists/public
GET /gists/starred
GET /gists/:gist_id
PATCH /gists/:gist_id
DELETE /gists/:gist_id
GET /gists/:gist_id/commits
GET /gists/:gist_id/star
PUT /gists/:gist_id/star
DELETE /gists/:gist_id/star
GET /gists/:gist_id/:sha
GET /user
PATCH /user
GET /user/emails
POST /user/emails
DELETE /user/emails
GET /user/public_emails
GET /user/followers
GET /user/following
GET /user/following/:username
PUT /user/following/:username
DELETE /user/following/:username
GET /user/keys
POST /user/keys
GET /user/keys/:key_id
DELETE /user/keys/:key_id
GET /user/repos
POST /user/repos
GET /user/starred
GET /user/starred/:owner/:repo
PUT /user/starred/:owner/:repo
DELETE /user/starred/:owner/:repo
GET /user/subscriptions
GET /user/orgs
GET /user/teams
GET /user/issues
GET /user/installations
GET /user/installations/:installation_id/repositories
PUT /user/installations/:installation_id/repositories/:repository_id
DELETE /user/installations/:installation_id/repositories/:repository_id
GET /user/codespaces
POST /user/codespaces
GET /user/:account_id
GET /users
GET /users/:username
GET /users/:username/events
GET /users/:username/events/public
GET /users/:username/events/orgs/:org
GET /users/:username/followers
GET /users/:username/following
GET /users/:username/following/:target_user
GET /users/:username/gists
GET /users/:username/gpg_keys
GET /users/:username/keys
GET /users/:username/orgs
GET /users/:username/repos
GET /users/:username/starred
GET /orgs/:org
PATCH /orgs/:org
DELETE /orgs/:org
GET /orgs/:org/events
GET /orgs/:org/hooks
POST /orgs/:org/hooks
GET /orgs/:org/hooks/:hook_id
PATCH /orgs/:org/hooks/:hook_id
DELETE /orgs/:org/hooks/:hook_id
POST /orgs/:org/hooks/:hook_id/pings
GET /orgs/:org/issues
GET /orgs/:org/members
GET /orgs/:org/members/:username
DELETE /orgs/:org/members/:username
GET /orgs/:org/memberships/:username
PUT /orgs/:org/memberships/:username
DELETE /orgs/:org/memberships/:username
GET /orgs/:org/repos
POST /orgs/:org/repos
GET /orgs/:org/teams
POST /orgs/:org/teams
GET /orgs/:org/teams/:team_slug
PATCH /orgs/:org/teams/:team_slug
DELETE /orgs/:org/teams/:team_slug
GET /orgs/:org/teams/:team_slug/members
GET /orgs/:org/teams/:team_slug/memberships/:username
PUT /orgs/:org/teams/:team_slug/memberships/:username
DELETE /orgs/:org/teams/:team_slug/memberships/:username
GET /orgs/:org/teams/:team_slug/repos
GET /orgs/:org/teams/:team_slug/repos/:owner/:repo
PUT /orgs/:org/teams/:team_slug/repos/:owner/:repo
DELETE /orgs/:org/teams/:team_slug/repos/:owner/:repo
GET /orgs/:org/teams/:team_slug/teams
GET /teams/:team_id
GET /projects/:project_id
GET /projects/columns/:column_id
GET /projects/columns/cards/:card_id
GET /repos/:owner/:repo
PATCH /repos/:owner/:repo
DELETE /repos/:owner/:repo
GET /repos/:owner/:repo/activity
GET /repos/:owner/:repo/assignees
GET /repos/:owner/:repo/assignees/:assignee
GET /repos/:owner/:repo/branches
GET /repos/:owner/:repo/branches/:branch
GET /repos/:owner/:repo/branches/:branch/protection
PUT /repos/:owner/:repo/branches/:branch/protection
DELETE /repos/:owner/:repo/branches/:branch/protection
POST /repos/:owner/:repo/branches/:branch/rename
GET /repos/:owner/:repo/collaborators
GET /repos/:owner/:repo/collaborators/:username
PUT /repos/:owner/:repo/collaborators/:username
DELETE /repos/:owner/:repo/collaborators/:username
GET /repos/:owner/:repo/collaborators/:username/permission
GET /repos/:owner/:repo/comments
GET /repos/:owner/:repo/comments/:comment_id
PATCH /repos/:owner/:repo/comments/:comment_id
DELETE /repos/:owner/:repo/comments/:comment_id
GET /repos/:owner/:repo/commits
GET /repos/:owner/:repo/commits/:ref
GET /repos/:owner/:repo/commits/:ref/comments
POST /repos/:owner/:repo/commits/:ref/comments
GET /repos/:owner/:repo/commits/:ref/status
GET /repos/:owner/:repo/commits/:ref/statuses
GET /repos/:owner/:repo/commits/:ref/check-runs
GET /repos/:owner/:repo/commits/:ref/check-suites
GET /repos/:owner/:repo/commits/:ref/pulls
GET /repos/:owner/:repo/compare/:basehead
GET /repos/:owner/:repo/contents/*
PUT /repos/:owner/:repo/contents/*
DELETE /repos/:owner/:repo/contents/*
GET /repos/:owner/:repo/contributors
GET /repos/:owner/:repo/deployments
POST /repos/:owner/:repo/deployments
GET /repos/:owner/:repo/deployments/:deployment_id
DELETE /repos/:owner/:repo/deployments/:deployment_id
POST /repos/:owner/:repo/dispatches
GET /repos/:owner/:repo/events
GET /repos/:owner/:repo/forks
POST /repos/:owner/:repo/forks
POST /repos/:owner/:repo/git/blobs
GET /repos/:owner/:repo/git/blobs/:file_sha
POST /repos/:owner/:repo/git/commits
GET /repos/:owner/:repo/git/commits/:commit_sha
GET /repos/:owner/:repo/git/matching-refs/*
GET /repos/:owner/:repo/git/ref/*
POST /repos/:owner/:repo/git/refs
PATCH /repos/:owner/:repo/git/refs/*
DELETE /repos/:owner/:repo/git/refs/*
POST /repos/:owner/:repo/git/tags
GET /repos/:owner/:repo/git/tags/:tag_sha
POST /repos/:owner/:repo/git/trees
GET /repos/:owner/:repo/git/trees/:tree_sha
GET /repos/:owner/:repo/hooks
POST /repos/:owner/:repo/hooks
GET /repos/:owner/:repo/hooks/:hook_id
PATCH /repos/:owner/:repo/hooks/:hook_id
DELETE /repos/:owner/:repo/hooks/:hook_id
POST /repos/:owner/:repo/hooks/:hook_id/pings
GET /repos/:owner/:repo/issues
POST /repos/:owner/:repo/issues
GET /repos/:owner/:repo/issues/comments
GET /repos/:owner/:repo/issues/comments/:comment_id
PATCH /repos/:owner/:repo/issues/comments/:comment_id
DELETE /repos/:owner/:repo/issues/comments/:comment_id
GET /repos/:owner/:repo/issues/events
GET /repos/:owner/:repo/issues/events/:event_id
GET /repos/:owner/:repo/issues/:issue_number
PATCH /repos/:owner/:repo/issues/:issue_number
POST /repos/:owner/:repo/issues/:issue_number/assignees
DELETE /repos/:owner/:repo/issues/:issue_number/assignees
GET /repos/:owner/:repo/issues/:issue_number/comments
POST /repos/:owner/:repo/issues/:issue_number/comments
GET /repos/:owner/:repo/issues/:issue_number/events
GET /repos/:owner/:repo/issues/:issue_number/labels
POST /repos/:owner/:repo/issues/:issue_number/labels
PUT /repos/:owner/:repo/issues/:issue_number/labels
DELETE /repos/:owner/:repo/issues/:issue_number/labels
DELETE /repos/:owner/:repo/issues/:issue_number/labels/:name
PUT /repos/:owner/:repo/issues/:issue_number/lock
DELETE /repos/:owner/:repo/issues/:issue_number/lock
GET /repos/:owner/:repo/issues/:issue_number/reactions
POST /repos/:owner/:repo/issues/:issue_number/reactions
GET /repos/:owner/:repo/issues/:issue_number/timeline
GET /repos/:owner/:repo/labels
POST /repos/:owner/:repo/labels
GET /repos/:owner/:repo/labels/:name
PATCH /repos/:owner/:repo/labels/:name
DELETE /repos/:owner/:repo/labels/:name
GET /repos/:owner/:repo/languages
GET /repos/:owner/:repo/license
POST /repos/:owner/:repo/merges
GET /repos/:owner/:repo/notifications
PUT /repos/:owner/:repo/notifications
GET /repos/:owner/:repo/pulls
POST /repos/:owner/:repo/pulls
GET /repos/:owner/:repo/pulls/comments
GET /repos/:owner/:repo/pulls/comments/:comment_id
PATCH /repos/:owner/:repo/pulls/comments/:comment_id
DELETE /repos/:owner/:repo/pulls/comments/:comment_id
GET /repos/:owner/:repo/pulls/:pull_number
PATCH /repos/:owner/:repo/pulls/:pull_number
GET /repos/:owner/:repo/pulls/:pull_number/comments
POST /repos/:owner/:repo/pulls/:pull_number/comments
GET /repos/:owner/:repo/pulls/:pull_number/commits
GET /repos/:owner/:repo/pulls/:pull_number/files
GET /repos/:owner/:repo/pulls/:pull_number/merge
PUT /repos/:owner/:repo/pulls/:pull_number/merge
GET /repos/:owner/:repo/pulls/:pull_number/requested_reviewers
POST /repos/:owner/:repo/pulls/:pull_number/requested_reviewers
GET /repos/:owner/:repo/pulls/:pull_number/reviews
POST /repos/:owner/:repo/pulls/:pull_number/reviews
GET /repos/:owner/:repo/pulls/:pull_number/reviews/:review_id
DELETE /repos/:owner/:repo/pulls/:pull_number/reviews/:review_id
GET /repos/:owner/:repo/pulls/:pull_number/reviews/:review_id/comments
PUT /repos/:owner/:repo/pulls/:pull_number/reviews/:review_id/dismissals
POST /repos/:owner/:repo/pulls/:pull_number/reviews/:review_id/events
GET /repos/:owner/:repo/readme
GET /repos/:owner/:repo/readme/*
GET /repos/:owner/:repo/releases
POST /repos/:owner/:repo/releases
GET /repos/:owner/:repo/releases/latest
GET /repos/:owner/:repo/releases/tags/:tag
GET /repos/:owner/:repo/releases/assets/:asset_id
PATCH /repos/:owner/:repo/releases/assets/:asset_id
GET /repos/:owner/:repo/releases/:release_id
PATCH /repos/:owner/:repo/releases/:release_id
DELETE /repos/:owner/:repo/releases/:release_id
GET /repos/:owner/:repo/releases/:release_id/assets
GET /repos/:owner/:repo/stargazers
GET /repos/:owner/:repo/subscribers
GET /repos/:owner/:repo/subscription
PUT /repos/:owner/:repo/subscription
DELETE /repos/:owner/:repo/subscription
GET /repos/:owner/:repo/tags
GET /repos/:owner/:repo/teams
GET /repos/:owner/:repo/topics
PUT /repos/:owner/:repo/topics
GET /repos/:owner/:repo/tarball/*
GET /repos/:owner/:repo/zipball/*
POST /repos/:owner/:repo/transfer
GET /repos/:owner/:repo/actions/artifacts
GET /repos/:owner/:repo/actions/artifacts/:artifact_id
DELETE /repos/:owner/:repo/actions/artifacts/:artifact_id
GET /repos/:owner/:repo/actions/artifacts/:artifact_id/:archive_format
GET /repos/:owner/:repo/actions/runs
GET /repos/:owner/:repo/actions/runs/:run_id
DELETE /repos/:owner/:repo/actions/runs/:run_id
GET /repos/:owner/:repo/actions/runs/:run_id/jobs
GET /repos/:owner/:repo/actions/runs/:run_id/logs
POST /repos/:owner/:repo/actions/runs/:run_id/cancel
POST /repos/:owner/:repo/actions/runs/:run_id/rerun
GET /repos/:owner/:repo/actions/jobs/:job_id
GET /repos/:owner/:repo/actions/jobs/:job_id/logs
GET /repos/:owner/:repo/actions/workflows
GET /repos/:owner/:repo/actions/workflows/:workflow_id
POST /repos/:owner/:repo/actions/workflows/:workflow_id/dispatches
GET /repos/:owner/:repo/actions/workflows/:workflow_id/runs
GET /repos/:owner/:repo/stats/contributors
GET /repos/:owner/:repo/stats/commit_activity
GET /repos/:owner/:repo/stats/code_frequency
GET /repos/:owner/:repo/stats/participation
GET /repos/:owner/:repo/stats/punch_card
GET /repos/:owner/:repo/projects
GET /assets/*
`;

/** Every route: { method, path }. */
export const ROUTES = TABLE.trim()
  .split('\n')
  .map((line) => {
    const [method, path] = line.trim().split(/\s+/);
    return { method, path };
  });

// Lookups by category: [method, path, the route pattern that must answer (null for a miss)].
const R = '/repos/:owner/:repo';
export const LOOKUPS = {
  static: [
    ['GET', '/', '/'],
    ['GET', '/meta', '/meta'],
    ['GET', '/rate_limit', '/rate_limit'],
    ['GET', '/user', '/user'],
    ['GET', '/user/repos', '/user/repos'],
    ['POST', '/user/repos', '/user/repos'],
    ['GET', '/user/emails', '/user/emails'],
    ['GET', '/user/starred', '/user/starred'],
    ['GET', '/user/following', '/user/following'],
    ['GET', '/user/codespaces', '/user/codespaces'],
    ['GET', '/gists/public', '/gists/public'],
    ['POST', '/gists', '/gists'],
    ['GET', '/search/repositories', '/search/repositories'],
    ['GET', '/search/code', '/search/code'],
    ['GET', '/notifications', '/notifications'],
    ['GET', '/emojis', '/emojis'],
    ['GET', '/app/installations', '/app/installations'],
    ['GET', '/app/hook/config', '/app/hook/config'],
    ['GET', '/gitignore/templates', '/gitignore/templates'],
    ['POST', '/markdown/raw', '/markdown/raw'],
  ],
  param: [
    ['GET', '/users/torvalds', '/users/:username'],
    ['GET', '/users/torvalds/repos', '/users/:username/repos'],
    ['GET', '/users/torvalds/events/orgs/linux', '/users/:username/events/orgs/:org'],
    ['GET', '/user/1234567', '/user/:account_id'],
    ['GET', '/repos/nodejs/node', R],
    ['GET', '/repos/nodejs/node/issues/52345', `${R}/issues/:issue_number`],
    ['GET', '/repos/nodejs/node/issues/52345/comments', `${R}/issues/:issue_number/comments`],
    ['POST', '/repos/nodejs/node/issues/52345/comments', `${R}/issues/:issue_number/comments`],
    ['GET', '/repos/nodejs/node/issues/comments/3456', `${R}/issues/comments/:comment_id`],
    ['PATCH', '/repos/nodejs/node/pulls/51234', `${R}/pulls/:pull_number`],
    [
      'GET',
      '/repos/nodejs/node/pulls/51234/reviews/987/comments',
      `${R}/pulls/:pull_number/reviews/:review_id/comments`,
    ],
    ['GET', '/repos/nodejs/node/commits/4f1e2d3c/status', `${R}/commits/:ref/status`],
    ['GET', '/repos/nodejs/node/actions/runs/987654321/jobs', `${R}/actions/runs/:run_id/jobs`],
    ['GET', '/repos/nodejs/node/releases/tags/v24.0.0', `${R}/releases/tags/:tag`],
    ['GET', '/repos/nodejs/node/branches/main/protection', `${R}/branches/:branch/protection`],
    ['DELETE', '/repos/nodejs/node/labels/bug', `${R}/labels/:name`],
    ['GET', '/orgs/nodejs/teams/tsc/memberships/mcollina', '/orgs/:org/teams/:team_slug/memberships/:username'],
    ['GET', '/orgs/nodejs/members/jasnell', '/orgs/:org/members/:username'],
    ['GET', '/gists/aa5a315d61ae9438b18d', '/gists/:gist_id'],
    ['PUT', '/user/starred/nodejs/node', '/user/starred/:owner/:repo'],
  ],
  wildcard: [
    ['GET', '/repos/nodejs/node/contents/lib/internal/http.js', `${R}/contents/*`],
    ['GET', '/repos/nodejs/node/contents/README.md', `${R}/contents/*`],
    ['PUT', '/repos/nodejs/node/contents/doc/api/http.md', `${R}/contents/*`],
    ['GET', '/repos/nodejs/node/git/ref/heads/main', `${R}/git/ref/*`],
    ['GET', '/repos/nodejs/node/git/matching-refs/tags/v24', `${R}/git/matching-refs/*`],
    ['PATCH', '/repos/nodejs/node/git/refs/heads/feature/router', `${R}/git/refs/*`],
    ['GET', '/repos/nodejs/node/tarball/v24.0.0', `${R}/tarball/*`],
    ['GET', '/repos/nodejs/node/zipball/heads/feature/x', `${R}/zipball/*`],
    ['GET', '/repos/nodejs/node/readme/doc/api', `${R}/readme/*`],
    ['GET', '/assets/js/app.3f2a1b.js', '/assets/*'],
    ['GET', '/assets/img/logo.svg', '/assets/*'],
    ['GET', '/assets/css/main.css', '/assets/*'],
  ],
  miss: [
    ['GET', '/nope', null],
    ['GET', '/favicon.ico', null],
    ['GET', '/search', null],
    ['GET', '/api/v3/users', null],
    ['GET', '/users/torvalds/unknown', null],
    ['GET', '/repos/nodejs', null],
    ['GET', '/repos/nodejs/node/issues/1/nothing', null],
    ['GET', '/repos/nodejs/node/pulls/1/reviews/2/comments/3', null],
    ['GET', '/orgs/nodejs/teams/tsc/discussions/1/comments/2/reactions', null],
    ['GET', '/user/emails/extra', null],
    ['DELETE', '/meta', null],
    ['POST', '/repos/nodejs/node/stats/contributors', null],
  ],
};

/** All categories interleaved deterministically: the "overall" mix. */
export function mixedLookups() {
  const lists = Object.values(LOOKUPS);
  const out = [];
  const longest = Math.max(...lists.map((list) => list.length));
  for (let i = 0; i < longest; i++) for (const list of lists) if (i < list.length) out.push(list[i]);
  return out;
}
