//! Starts moto's server on a free loopback port for one test and stops it on drop.

use std::net::{Ipv4Addr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;

/// Tries to reach `/moto-api/` every 100 ms for at most this many attempts (30 s).
const READY_ATTEMPTS: u32 = 300;

pub struct Moto {
    child: Child,
    pub endpoint: String,
}

impl Moto {
    pub async fn start() -> Moto {
        let port = {
            let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a free loopback port");
            listener.local_addr().expect("read the bound port").port()
        };
        let child = Command::new("python3")
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto: is moto 5 installed for python3?");
        let moto = Moto { child, endpoint: format!("http://127.0.0.1:{port}") };
        moto.wait_until_ready(port).await;
        moto
    }

    async fn wait_until_ready(&self, port: u16) {
        for _ in 0..READY_ATTEMPTS {
            if let Ok(mut stream) = tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port)).await {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let request = format!("GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
                if stream.write_all(request.as_bytes()).await.is_ok() {
                    let mut head = [0u8; 12];
                    if stream.read_exact(&mut head).await.is_ok() && head.starts_with(b"HTTP/1.") && &head[9..12] == b"200" {
                        return;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("moto did not answer on 127.0.0.1:{port} within 30 s");
    }

    /// SDK configuration pointing at this server with dummy credentials.
    pub async fn sdk_config(&self) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
            .load()
            .await
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
