//! Runs moto's server on a free loopback port for as long as the value lives.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tracing::info;

/// The moto release the project is tested against; `requirements-local.txt` pins the same.
pub const MOTO_VERSION: &str = "5.2.1";
/// How often to try connecting after starting. moto imports every service model at start, so
/// it takes a few seconds to accept connections.
const READY_ATTEMPTS: u32 = 300;
const READY_INTERVAL: Duration = Duration::from_millis(100);

#[derive(Debug, thiserror::Error)]
pub enum MotoError {
    #[error("no Python with moto {MOTO_VERSION} found; run `scripts/setup-local` (it creates .local/venv), or set CAUSEFLOW_PYTHON to a Python that has `moto[server]=={MOTO_VERSION}`")]
    NotInstalled,
    #[error("could not find a free loopback port: {0}")]
    NoPort(std::io::Error),
    #[error("could not start moto with {python}: {error}")]
    Spawn { python: String, error: std::io::Error },
    #[error("moto did not answer on 127.0.0.1:{0} within 30 seconds")]
    NotReady(u16),
}

/// A moto server process, stopped on drop.
#[derive(Debug)]
pub struct MotoServer {
    child: Child,
    port: u16,
}

impl MotoServer {
    /// Starts moto on 127.0.0.1 and a free port, and waits until it accepts connections.
    pub fn start() -> Result<MotoServer, MotoError> {
        let python = find_python().ok_or(MotoError::NotInstalled)?;
        let port = free_port().map_err(MotoError::NoPort)?;
        // CAUSEFLOW_MOTO_LOG names a file for moto's own log, to see why a call failed.
        let log = std::env::var_os("CAUSEFLOW_MOTO_LOG")
            .and_then(|path| std::fs::File::create(path).ok())
            .map(Stdio::from)
            .unwrap_or_else(Stdio::null);
        let child = Command::new(&python)
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("moto_server.py"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|error| MotoError::Spawn { python: python.display().to_string(), error })?;
        let mut server = MotoServer { child, port };
        server.wait_ready()?;
        info!(port, "moto is up");
        Ok(server)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn wait_ready(&mut self) -> Result<(), MotoError> {
        for _ in 0..READY_ATTEMPTS {
            if let Ok(Some(_)) = self.child.try_wait() {
                return Err(MotoError::NotReady(self.port));
            }
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(READY_INTERVAL);
        }
        Err(MotoError::NotReady(self.port))
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> std::io::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Returns the project root, the folder that contains `statemachines/` (this crate is two
/// levels below it).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap_or_else(|_| PathBuf::from("."))
}

/// `CAUSEFLOW_PYTHON`, else the project's `.local/venv`, else `python3`, whichever has moto.
fn find_python() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Ok(configured) = std::env::var("CAUSEFLOW_PYTHON") {
        candidates.push(PathBuf::from(configured));
    }
    candidates.push(project_root().join(".local/venv/bin/python"));
    candidates.push(PathBuf::from("python3"));
    candidates.into_iter().find(|python| {
        Command::new(python)
            .args(["-c", "import moto.server"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    })
}
