//! Who may do what on a team's workspace, enforced by PostgreSQL itself.
//!
//! The program cannot keep a reviewer from changing a colleague's answers
//! or a client viewer from writing: anyone with the URL can run SQL. So the
//! rules live in the server: three NOLOGIN group roles with grants, and
//! row-level security on the reviews and what hangs off them. A person's
//! LOGIN role is a member of one group, and may connect only to the
//! databases it was added to (the groups are the server's, shared by every
//! engagement's database on it). On SQLite there is nothing to
//! enforce: whoever can open the file is everything, and these calls say
//! so by returning `None`.
//!
//! - `callqa_lead`: every table, every row (its policies let all rows by).
//! - `callqa_reviewer`: reads everything; writes the work of reviewing
//!   (reviews, answers and their history, markers, the listening state,
//!   best calls, claims, the calls' analysis cache, a dispute's
//!   resolution) and changes only reviews whose `reviewer` is their own
//!   login (`current_user`); draws a planned call for themselves only.
//! - `callqa_client`: reads only, and of the reviews only the submitted ones
//!   with their answers; never in-progress work, markers, listening state
//!   or claims.
//!
//! Row-level security skips rows silently on UPDATE and DELETE and names
//! only the table on INSERT; a trigger on the per-review tables refuses a
//! reviewer's write to a colleague's review first, with a message that
//! names the rule, so the workstation can show why nothing was saved.

use super::db::params;
use super::{Result, Workspace};

/// A person's part on a team's workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamRole {
    Reviewer,
    Lead,
    Client,
}

impl TeamRole {
    pub const ALL: [TeamRole; 3] = [TeamRole::Reviewer, TeamRole::Lead, TeamRole::Client];

    /// The group role on the server.
    pub fn group(self) -> &'static str {
        match self {
            TeamRole::Reviewer => "callqa_reviewer",
            TeamRole::Lead => "callqa_lead",
            TeamRole::Client => "callqa_client",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TeamRole::Reviewer => "reviewer",
            TeamRole::Lead => "lead",
            TeamRole::Client => "client",
        }
    }

    fn of_group(group: &str) -> Option<TeamRole> {
        TeamRole::ALL.into_iter().find(|r| r.group() == group)
    }
}

impl std::str::FromStr for TeamRole {
    type Err = String;
    fn from_str(text: &str) -> std::result::Result<Self, String> {
        TeamRole::ALL
            .into_iter()
            .find(|r| r.name() == text)
            .ok_or_else(|| format!("{text:?}: the roles are reviewer, lead and client"))
    }
}

/// A login and the part it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub login: String,
    pub role: TeamRole,
}

/// The tables a reviewer writes while reviewing (every column).
const REVIEWER_WRITES: &str =
    "reviews, answers, review_events, markers, reviewer_state, best_calls, plan_claims";

/// What only reviewing produces: a client viewer never reads these.
const CLIENT_NEVER_READS: [&str; 3] = ["reviewer_state", "markers", "plan_claims"];

/// A review's own row for a per-review table (`answers`, `review_events`,
/// `item_responses`), as a policy's condition.
fn review_is(condition: &str, table: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM reviews r WHERE r.review_id = {table}.review_id AND {condition})"
    )
}

/// The groups, their grants, the policies and the trigger, every
/// statement safe to run again. The tables a later migration adds (run by
/// the same owner) are readable by every group and the lead's at once, by
/// default privileges; a reviewer's write to a new table, or a row rule on
/// it, still comes with `team setup` run once more.
fn setup_sql(schema: &str) -> String {
    let mut sql = String::from(
        "DO $$ BEGIN
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'callqa_reviewer') THEN
             CREATE ROLE callqa_reviewer NOLOGIN; END IF;
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'callqa_lead') THEN
             CREATE ROLE callqa_lead NOLOGIN; END IF;
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'callqa_client') THEN
             CREATE ROLE callqa_client NOLOGIN; END IF;
         END $$;\n",
    );
    // The groups are the server's, shared by every database on it: a
    // login may connect only to the databases it was added to.
    sql += "DO $$ BEGIN
           EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC', current_database());
         END $$;\n";
    let groups = "callqa_reviewer, callqa_lead, callqa_client";
    sql += &format!(
        "GRANT USAGE ON SCHEMA {schema} TO {groups};
         GRANT ALL ON ALL TABLES IN SCHEMA {schema} TO callqa_lead;
         GRANT ALL ON ALL SEQUENCES IN SCHEMA {schema} TO callqa_lead;
         GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO callqa_reviewer, callqa_client;
         GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO callqa_reviewer;
         GRANT INSERT, UPDATE, DELETE ON {REVIEWER_WRITES} TO callqa_reviewer;
         GRANT INSERT ON checklists TO callqa_reviewer;
         GRANT INSERT, UPDATE, DELETE ON call_analysis TO callqa_reviewer;
         GRANT UPDATE (reviewer) ON plan_entries TO callqa_reviewer;
         GRANT UPDATE (outcome, resolution, resolved_by, resolved_at) ON item_responses
           TO callqa_reviewer;
         REVOKE ALL ON {} FROM callqa_client;
         ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT ALL ON TABLES TO callqa_lead;
         ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT ALL ON SEQUENCES TO callqa_lead;
         ALTER DEFAULT PRIVILEGES IN SCHEMA {schema}
           GRANT SELECT ON TABLES TO callqa_reviewer, callqa_client;
         ALTER DEFAULT PRIVILEGES IN SCHEMA {schema}
           GRANT USAGE ON SEQUENCES TO callqa_reviewer;\n",
        CLIENT_NEVER_READS.join(", ")
    );
    // A view reads its tables as its owner, who passes every row rule:
    // from PostgreSQL 15 it can read them as the one asking instead; on
    // an older server the client viewer does without the views.
    sql += "DO $$ DECLARE view regclass; BEGIN
           FOR view IN SELECT c.oid::regclass FROM pg_class c
               WHERE c.relkind = 'v' AND c.relnamespace = current_schema()::regnamespace LOOP
             IF current_setting('server_version_num')::INT >= 150000 THEN
               EXECUTE format('ALTER VIEW %s SET (security_invoker = true)', view);
             ELSE
               EXECUTE format('REVOKE ALL ON %s FROM callqa_client', view);
             END IF;
           END LOOP;
         END $$;\n";
    let submitted = "r.status = 'submitted'";
    let own = "r.reviewer = current_user";
    // (table, a client's rows, a reviewer's own rows)
    let tables = [
        (
            "reviews",
            "status = 'submitted'".to_string(),
            "reviewer = current_user".to_string(),
        ),
        (
            "answers",
            review_is(submitted, "answers"),
            review_is(own, "answers"),
        ),
        (
            "review_events",
            review_is(submitted, "review_events"),
            review_is(own, "review_events"),
        ),
        (
            "item_responses",
            review_is(submitted, "item_responses"),
            // A dispute is resolved by whoever the lead lets; the columns
            // a reviewer may change are limited by the grant above.
            "true".to_string(),
        ),
    ];
    for (table, client_rows, own_rows) in tables {
        sql += &format!(
            "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
             DROP POLICY IF EXISTS callqa_lead_all ON {table};
             CREATE POLICY callqa_lead_all ON {table} TO callqa_lead USING (true) WITH CHECK (true);
             DROP POLICY IF EXISTS callqa_reviewer_reads ON {table};
             CREATE POLICY callqa_reviewer_reads ON {table} FOR SELECT TO callqa_reviewer
               USING (true);
             DROP POLICY IF EXISTS callqa_reviewer_own ON {table};
             CREATE POLICY callqa_reviewer_own ON {table} TO callqa_reviewer
               USING ({own_rows}) WITH CHECK ({own_rows});
             DROP POLICY IF EXISTS callqa_client_submitted ON {table};
             CREATE POLICY callqa_client_submitted ON {table} FOR SELECT TO callqa_client
               USING ({client_rows});\n"
        );
    }
    // Claiming locks the plan's rows (FOR UPDATE needs an UPDATE right
    // and the UPDATE policy's rows); a reviewer may draw a call for
    // themselves only: handing it to another is the lead's.
    sql += "ALTER TABLE plan_entries ENABLE ROW LEVEL SECURITY;
         DROP POLICY IF EXISTS callqa_lead_all ON plan_entries;
         CREATE POLICY callqa_lead_all ON plan_entries TO callqa_lead USING (true) WITH CHECK (true);
         DROP POLICY IF EXISTS callqa_everyone_reads ON plan_entries;
         CREATE POLICY callqa_everyone_reads ON plan_entries FOR SELECT
           TO callqa_reviewer, callqa_client USING (true);
         DROP POLICY IF EXISTS callqa_reviewer_draws_own ON plan_entries;
         CREATE POLICY callqa_reviewer_draws_own ON plan_entries FOR UPDATE TO callqa_reviewer
           USING (true) WITH CHECK (reviewer = current_user);\n";
    sql += "CREATE OR REPLACE FUNCTION callqa_own_reviews_only() RETURNS trigger
         LANGUAGE plpgsql AS $$
         DECLARE
           id BIGINT;
           owner TEXT;
         BEGIN
           IF NOT pg_has_role(current_user, 'callqa_reviewer', 'MEMBER')
              OR pg_has_role(current_user, 'callqa_lead', 'MEMBER') THEN
             RETURN COALESCE(NEW, OLD);
           END IF;
           IF TG_TABLE_NAME = 'reviews' THEN
             owner := COALESCE(NEW.reviewer, OLD.reviewer);
             id := COALESCE(NEW.review_id, OLD.review_id);
           ELSE
             id := COALESCE(NEW.review_id, OLD.review_id);
             SELECT reviewer INTO owner FROM reviews WHERE review_id = id;
           END IF;
           IF owner IS DISTINCT FROM current_user::TEXT THEN
             RAISE EXCEPTION USING
               ERRCODE = 'insufficient_privilege',
               MESSAGE = format('review %s is %s''s: the role rule callqa_reviewer lets a reviewer change only their own reviews', id, owner),
               HINT = 'a lead (callqa_lead) changes or reassigns any review';
           END IF;
           RETURN COALESCE(NEW, OLD);
         END $$;\n";
    for table in ["reviews", "answers", "review_events"] {
        sql += &format!(
            "DROP TRIGGER IF EXISTS callqa_own_reviews_only ON {table};
             CREATE TRIGGER callqa_own_reviews_only BEFORE INSERT OR UPDATE OR DELETE ON {table}
               FOR EACH ROW EXECUTE FUNCTION callqa_own_reviews_only();\n"
        );
    }
    sql
}

impl Workspace {
    /// Make (or bring up to date) the team's groups, grants and row rules
    /// on a PostgreSQL workspace; `None` on a file, which has one user.
    /// Needs a login that may create roles and owns the tables.
    pub fn set_up_roles(&self) -> Result<Option<()>> {
        if !self.conn.is_postgres() {
            return Ok(None);
        }
        let schema: String =
            self.conn
                .query_row("SELECT quote_ident(current_schema())", params![], |r| {
                    r.get(0)
                })?;
        let tx = self.conn.transaction()?;
        tx.execute_batch(&setup_sql(&schema))?;
        tx.commit()?;
        Ok(Some(()))
    }

    /// A login for `login` in `role`'s group, made when missing (with
    /// `password`, or none for a server that trusts its socket), moved out
    /// of the other groups when it had another part. `None` on a file.
    pub fn add_member(
        &self,
        login: &str,
        role: TeamRole,
        password: Option<&str>,
    ) -> Result<Option<()>> {
        if !self.conn.is_postgres() {
            return Ok(None);
        }
        // The server quotes the name and the password (`format`'s %I and
        // %L): neither can be a statement's parameter.
        let quoted = |template: &str, value: &str| -> Result<String> {
            Ok(self.conn.query_row(
                "SELECT format(?1, ?2::TEXT)",
                params![template, value],
                |r| r.get(0),
            )?)
        };
        let name = quoted("%I", login)?;
        let database: String =
            self.conn
                .query_row("SELECT current_database()::TEXT", params![], |r| r.get(0))?;
        let exists: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?1)",
            params![login],
            |r| r.get(0),
        )?;
        let tx = self.conn.transaction()?;
        let mut sql = if exists {
            format!("ALTER ROLE {name} LOGIN;")
        } else {
            format!("CREATE ROLE {name} LOGIN;")
        };
        if let Some(password) = password {
            sql += &format!("ALTER ROLE {name} PASSWORD {};", quoted("%L", password)?);
        }
        for other in TeamRole::ALL.into_iter().filter(|r| *r != role) {
            sql += &format!("REVOKE {} FROM {name};", other.group());
        }
        sql += &format!(
            "GRANT {} TO {name}; GRANT CONNECT ON DATABASE {} TO {name};",
            role.group(),
            quoted("%I", &database)?
        );
        tx.execute_batch(&sql)?;
        tx.commit()?;
        Ok(Some(()))
    }

    /// Who has which part on this workspace (the logins that may connect
    /// to its database), by login; `None` on a file.
    pub fn members(&self) -> Result<Option<Vec<Member>>> {
        if !self.conn.is_postgres() {
            return Ok(None);
        }
        let rows: Vec<(String, String)> = self.conn.query_map(
            "SELECT m.rolname::TEXT, g.rolname::TEXT
             FROM pg_auth_members a
             JOIN pg_roles g ON g.oid = a.roleid
             JOIN pg_roles m ON m.oid = a.member
             WHERE g.rolname IN ('callqa_reviewer', 'callqa_lead', 'callqa_client')
               AND has_database_privilege(m.oid, current_database(), 'CONNECT')
             ORDER BY 1, 2",
            params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(Some(
            rows.into_iter()
                .filter_map(|(login, group)| {
                    TeamRole::of_group(&group).map(|role| Member { login, role })
                })
                .collect(),
        ))
    }

    /// The part this login has on a PostgreSQL workspace; `None` on a
    /// file or for a login outside the groups (the owner, who may do all).
    pub fn team_role(&self) -> Result<Option<TeamRole>> {
        if !self.conn.is_postgres() {
            return Ok(None);
        }
        let group: Option<String> = self.conn.query_row(
            "SELECT min(g.rolname::TEXT) FROM pg_auth_members a
             JOIN pg_roles g ON g.oid = a.roleid
             JOIN pg_roles m ON m.oid = a.member
             WHERE m.rolname = current_user
               AND g.rolname IN ('callqa_reviewer', 'callqa_lead', 'callqa_client')",
            params![],
            |r| r.get(0),
        )?;
        Ok(group.as_deref().and_then(TeamRole::of_group))
    }

    /// The login of a team member on a PostgreSQL workspace (a member of
    /// one of the groups): the reviewer name the row rules compare with.
    /// `None` on a file or for a login outside the groups (the owner).
    pub fn team_login(&self) -> Result<Option<String>> {
        if !self.conn.is_postgres() {
            return Ok(None);
        }
        Ok(self.conn.query_row(
            // Direct membership, as `add_member` grants it: a superuser
            // "has" every role, but is the owner, not a member.
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_auth_members a
                 JOIN pg_roles g ON g.oid = a.roleid
                 JOIN pg_roles m ON m.oid = a.member
                 WHERE m.rolname = current_user
                   AND g.rolname IN ('callqa_reviewer', 'callqa_lead', 'callqa_client'))
             THEN current_user::TEXT END",
            params![],
            |r| r.get(0),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_is_named_as_the_command_line_takes_it_and_grouped_on_the_server() {
        for role in TeamRole::ALL {
            assert_eq!(role.name().parse::<TeamRole>(), Ok(role));
            assert_eq!(TeamRole::of_group(role.group()), Some(role));
        }
        assert!(
            "admin"
                .parse::<TeamRole>()
                .unwrap_err()
                .contains("reviewer, lead and client")
        );
    }

    #[test]
    fn a_file_has_no_roles_to_set_up() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(&dir.path().join("solo.sqlite")).unwrap();
        assert_eq!(ws.set_up_roles().unwrap(), None);
        assert_eq!(
            ws.add_member("anna", TeamRole::Reviewer, None).unwrap(),
            None
        );
        assert_eq!(ws.members().unwrap(), None);
        assert_eq!(ws.team_login().unwrap(), None);
    }
}
