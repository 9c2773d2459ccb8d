//! A small WebDriver client (W3C WebDriver, <https://www.w3.org/TR/webdriver2/>)
//! for the report's browser tests: Debian's `chromedriver` drives headless
//! `chromium`. WebDriver is JSON over HTTP on localhost; the few commands
//! the tests use are plain requests, so no async runtime is pulled in.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The W3C key of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Chromium's flags that work in this sandbox-less, offline test setting.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
];

/// A headless Chromium session.
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    profile: PathBuf,
}

/// The first of `names` found on `PATH`.
fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|n| {
        std::env::split_paths(&path)
            .map(|d| d.join(n))
            .find(|p| p.is_file())
    })
}

impl Browser {
    /// Starts `chromedriver` and a headless Chromium; `Err` says why no
    /// browser can start (the tests then say they are skipped).
    pub fn start() -> Result<Browser, String> {
        let chromium = which(&["chromium", "chromium-browser", "google-chrome"])
            .ok_or("no chromium on PATH (Debian: apt-get install chromium chromium-driver)")?;
        let driver_bin = which(&["chromedriver"])
            .ok_or("no chromedriver on PATH (Debian: apt-get install chromium-driver)")?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free local port: {e}"))?
            .port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{} does not start: {e}", driver_bin.display()))?;
        let profile =
            std::env::temp_dir().join(format!("podnet-chromium-{}-{port}", std::process::id()));
        let mut browser = Browser {
            driver,
            port,
            session: String::new(),
            profile,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while browser.request("GET", "/status", None).is_err() {
            if Instant::now() > deadline {
                return Err("chromedriver did not answer within 20 s".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut args: Vec<String> = FLAGS.iter().map(|s| (*s).to_owned()).collect();
        args.push(format!("--user-data-dir={}", browser.profile.display()));
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args},
            "goog:loggingPrefs": {"browser": "ALL"}
        }}});
        let answer = browser
            .request("POST", "/session", Some(&caps))
            .map_err(|e| format!("chromium does not start: {e}"))?;
        browser.session = answer["sessionId"]
            .as_str()
            .ok_or("chromedriver gave no session id")?
            .to_owned();
        Ok(browser)
    }

    fn request(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .map_err(|e| e.to_string())?;
        let body = body.map(Value::to_string).unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.port,
            body.len()
        );
        stream
            .write_all(head.as_bytes())
            .and_then(|()| stream.write_all(body.as_bytes()))
            .map_err(|e| e.to_string())?;
        // chromedriver may keep the connection open: read the header,
        // then exactly the body it announces.
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).map_err(|e| e.to_string())? == 0 || line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let lower = head.to_ascii_lowercase();
        let length = lower
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|n| n.trim().parse::<usize>().ok());
        let body = match length {
            Some(n) => {
                let mut buf = vec![0; n];
                reader.read_exact(&mut buf).map_err(|e| e.to_string())?;
                String::from_utf8_lossy(&buf).into_owned()
            }
            None => {
                let mut rest = String::new();
                reader
                    .read_to_string(&mut rest)
                    .map_err(|e| e.to_string())?;
                if lower.contains("transfer-encoding: chunked") {
                    unchunk(&rest)
                } else {
                    rest
                }
            }
        };
        let status: u16 = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or("no HTTP status")?;
        let v: Value = serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))?;
        if status != 200 {
            return Err(format!(
                "{method} {path}: {} {}",
                v["value"]["error"], v["value"]["message"]
            ));
        }
        Ok(v["value"].clone())
    }

    fn command(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        self.request(method, &path, body)
            .unwrap_or_else(|e| panic!("WebDriver: {e}"))
    }

    /// Opens a file.
    pub fn open(&self, file: &Path) {
        let url = format!("file://{}", file.display());
        self.command("POST", "/url", Some(&json!({ "url": url })));
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the
    /// page and returns its result.
    pub fn eval(&self, script: &str, args: &[Value]) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            Some(&json!({"script": script, "args": args})),
        )
    }

    /// The first element `css` selects.
    pub fn find(&self, css: &str) -> Value {
        let v = self.command(
            "POST",
            "/element",
            Some(&json!({"using": "css selector", "value": css})),
        );
        assert!(v[ELEMENT].is_string(), "no element {css}: {v}");
        v[ELEMENT].clone()
    }

    /// Clicks the first element `css` selects, as a user does.
    pub fn click(&self, css: &str) {
        let id = self.find(css);
        let id = id.as_str().expect("element id");
        self.command("POST", &format!("/element/{id}/click"), Some(&json!({})));
    }

    /// Clears the field `css` selects and types `text` into it.
    pub fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        let id = id.as_str().expect("element id");
        self.command("POST", &format!("/element/{id}/clear"), Some(&json!({})));
        self.command(
            "POST",
            &format!("/element/{id}/value"),
            Some(&json!({ "text": text })),
        );
    }

    /// Waits until `script` returns true.
    pub fn wait_for(&self, script: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.eval(script, &[]) != Value::Bool(true) {
            assert!(Instant::now() < deadline, "timed out waiting for {script}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Saves a PNG of the window.
    pub fn screenshot(&self, file: &Path) {
        let v = self.command("GET", "/screenshot", None);
        let png = base64(v.as_str().expect("base64 PNG"));
        std::fs::write(file, png).expect("screenshot written");
    }

    /// The browser's console messages of level SEVERE (errors) since the
    /// last call.
    pub fn console_errors(&self) -> Vec<String> {
        let v = self.command("POST", "/se/log", Some(&json!({"type": "browser"})));
        v.as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or("").to_owned())
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.request("DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// The body of a chunked HTTP/1.1 answer.
fn unchunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// Decodes standard base64 (RFC 4648 section 4), as screenshots come.
fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let digits: Vec<u32> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let mut n = 0u32;
        for (i, d) in chunk.iter().enumerate() {
            n |= d << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

#[test]
fn base64_decodes_rfc_4648_test_vectors() {
    // RFC 4648, section 10.
    let cases = [
        ("", ""),
        ("Zg==", "f"),
        ("Zm8=", "fo"),
        ("Zm9v", "foo"),
        ("Zm9vYg==", "foob"),
        ("Zm9vYmE=", "fooba"),
        ("Zm9vYmFy", "foobar"),
    ];
    for (encoded, decoded) in cases {
        assert_eq!(base64(encoded), decoded.as_bytes(), "{encoded}");
    }
}
