//! A real SMTP server for the tests: `tests/support/smtp_sink.py` (aiosmtpd)
//! started as a child process, killed when dropped.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use assay::tokens::random_token;

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

pub fn smtp_url(port: u16) -> String {
    format!("smtp://127.0.0.1:{port}")
}

/// One message as the SMTP server received it.
pub struct Received {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub raw: Vec<u8>,
}

impl Received {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.raw)
            .expect("the received message parses as MIME")
    }
}

/// The header section exactly as sent, one header per line (folded
/// continuation lines joined to their header).
pub fn header_lines(raw: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let mut lines: Vec<String> = Vec::new();
    for line in head.split("\r\n") {
        match lines.last_mut() {
            Some(last) if line.starts_with([' ', '\t']) => last.push_str(line),
            _ => lines.push(line.to_string()),
        }
    }
    lines
}

pub struct SmtpSink {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

impl SmtpSink {
    /// Starts an accepting server on `port`.
    pub fn start(port: u16) -> SmtpSink {
        SmtpSink::spawn(port, None)
    }

    /// Starts a server on `port` that refuses every message with `reply`.
    pub fn rejecting(port: u16, reply: &str) -> SmtpSink {
        SmtpSink::spawn(port, Some(reply))
    }

    /// Starts a server on `port` that refuses one recipient at RCPT TO with
    /// `reply` and accepts everyone else.
    pub fn refusing_recipient(port: u16, address: &str, reply: &str) -> SmtpSink {
        SmtpSink::spawn_with(port, None, Some((address, reply)))
    }

    fn spawn(port: u16, reject: Option<&str>) -> SmtpSink {
        SmtpSink::spawn_with(port, reject, None)
    }

    fn spawn_with(port: u16, reject: Option<&str>, refuse_rcpt: Option<(&str, &str)>) -> SmtpSink {
        let dir = std::env::temp_dir().join(format!("assay-smtp-{}", &random_token()[..12]));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let mut command = Command::new("python3");
        command.arg(script).arg(port.to_string()).arg(&dir);
        if let Some(reply) = reject {
            command.arg("--reject").arg(reply);
        }
        if let Some((address, reply)) = refuse_rcpt {
            command.arg("--refuse-rcpt").arg(address).arg(reply);
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start python3 tests/support/smtp_sink.py (needs: python3 -m pip install aiosmtpd)");
        let mut sink = SmtpSink { child, port, dir };
        sink.wait_until_listening();
        sink
    }

    fn wait_until_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                let mut err = String::new();
                if let Some(mut stderr) = self.child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut stderr, &mut err);
                }
                panic!("the SMTP sink exited ({status}): {err}");
            }
            assert!(
                Instant::now() < deadline,
                "the SMTP sink did not listen on {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn url(&self) -> String {
        smtp_url(self.port)
    }

    /// Every message received so far, in the order received.
    pub fn received(&self) -> Vec<Received> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                e.file_name()
                    .to_str()
                    .and_then(|n| n.strip_suffix(".json"))
                    .map(String::from)
            })
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|name| {
                let meta: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(self.dir.join(format!("{name}.json"))).expect("envelope"))
                        .expect("envelope json");
                Received {
                    mail_from: meta["mail_from"].as_str().unwrap_or_default().to_string(),
                    rcpt_tos: meta["rcpt_tos"]
                        .as_array()
                        .expect("rcpt_tos")
                        .iter()
                        .map(|r| r.as_str().unwrap_or_default().to_string())
                        .collect(),
                    raw: std::fs::read(self.dir.join(format!("{name}.eml"))).expect("message"),
                }
            })
            .collect()
    }

    /// Stops the server; the port refuses connections afterwards.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
