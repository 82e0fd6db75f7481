//! For tests only (the unit tests and the integration tests share it):
//! a throw-away PostgreSQL database on the test server `./dev test` starts.

/// A fresh PostgreSQL database on the test server (`CALLQA_TEST_PG`,
/// which `./dev test` starts), dropped when this is.
pub struct TempDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl TempDatabase {
    /// `None` without a server when missing tools may be skipped
    /// (`CALLQA_SKIP_MISSING_TOOLS=1`, a developer's machine); a test
    /// that needs one fails and says why otherwise.
    pub fn new() -> Option<TempDatabase> {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let Ok(admin_url) = std::env::var("CALLQA_TEST_PG") else {
            if std::env::var("CALLQA_SKIP_MISSING_TOOLS").as_deref() == Ok("1") {
                return None;
            }
            panic!(
                "CALLQA_TEST_PG is not set: the store's tests run on PostgreSQL too; \
                 `./dev test` starts a private server for them \
                 (CALLQA_SKIP_MISSING_TOOLS=1 skips them on a developer's machine)"
            );
        };
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("callqa_test_{}_{n}", std::process::id());
        let mut admin = ::postgres::Client::connect(&admin_url, ::postgres::NoTls)
            .unwrap_or_else(|e| panic!("CALLQA_TEST_PG={admin_url}: {e}"));
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let (base, _) = admin_url
            .rsplit_once('/')
            .expect("CALLQA_TEST_PG is a URL ending in /DATABASE");
        let url = format!("{base}/{name}");
        Some(TempDatabase {
            admin_url,
            name,
            url,
        })
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = ::postgres::Client::connect(&self.admin_url, ::postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
