//! A real terminal: skyhound in tmux, driven with send-keys and read with
//! capture-pane. Checks the full-screen mode, navigation, resize and that
//! the terminal is given back on quit.

use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "smoke"])
    }

    /// Wait until the screen shows `text` (the terminal is asynchronous).
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "timed out waiting for {text:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "smoke"];
        args.extend_from_slice(keys);
        self.run(&args);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_explorer_runs_in_a_real_terminal() {
    if !tmux_available() {
        // CI installs tmux (scripts/test); elsewhere say why nothing ran.
        assert!(
            std::env::var_os("CI").is_none(),
            "tmux is required for the terminal test in CI"
        );
        eprintln!("skipping: tmux is not installed");
        return;
    }
    let home = crate::scratch("tmux-home");
    let t = Tmux {
        socket: format!("skyhound-test-{}", std::process::id()),
    };
    let cmd = format!(
        "env HOME={} TERM=xterm-256color {} --demo; echo SKYHOUND-EXITED-$?; sleep 30",
        home.display(),
        env!("CARGO_BIN_EXE_skyhound")
    );
    t.run(&[
        "new-session",
        "-d",
        "-s",
        "smoke",
        "-x",
        "100",
        "-y",
        "30",
        &cmd,
    ]);

    t.wait_for("overview:");
    let s = t.wait_for("bill-company");
    assert!(s.contains("skyhound"), "{s}");

    // Posture: the checks worst first, then one check's failing buckets.
    t.keys(&[":check s3.bucket-public", "Enter"]);
    let s = t.wait_for("bill-website-images");
    assert!(
        s.contains("s3.bucket-public: Public bucket") && s.contains("FAIL CRITICAL"),
        "{s}"
    );
    t.keys(&[":checks", "Enter"]);
    let s = t.wait_for("checks: ");
    assert!(
        s.contains("FAIL CRITICAL") && s.contains("exposure.internet"),
        "{s}"
    );

    t.keys(&[":exposed", "Enter"]);
    t.wait_for("exposed resources [1/13]");
    t.keys(&["j", "Enter"]);
    // The frame arrives in pieces: wait for its last part.
    let s = t.wait_for("network-interface eni-");
    assert!(
        s.contains("why exposed") && s.contains("internet-gateway") && s.contains("security-group"),
        "{s}"
    );

    // Bill's bad day: the web server's blast radius as a tree, the steps
    // to take, and who changed it (live only: the demo says how).
    t.keys(&[":instances", "Enter"]);
    t.wait_for("instances");
    t.keys(&["/", "bill-web-server", "Enter"]);
    t.wait_for("instances /bill-web-server");
    t.keys(&["b"]);
    let s = t.wait_for("▾ the attack, step by step");
    assert!(
        s.contains("from bill-web-server:") && s.contains("unseen: no trail records"),
        "{s}"
    );
    t.keys(&["Enter"]);
    t.wait_for("▸ the attack, step by step");
    t.keys(&["R"]);
    t.wait_for("KEEP THE EVIDENCE");
    t.keys(&[":history", "Enter"]);
    t.wait_for("who changed instance bill-web-server");
    t.wait_for("read live");

    // Resize: the layout follows the terminal.
    t.run(&["resize-window", "-t", "smoke", "-x", "80", "-y", "24"]);
    let start = Instant::now();
    loop {
        let s = t.screen();
        if s.lines().count() <= 24
            && s.lines().all(|l| l.chars().count() <= 80)
            && s.contains("? help")
        {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the layout did not follow the resize:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    t.keys(&["f"]);
    t.keys(&["role:partner"]);
    t.wait_for("partner-support");
    t.keys(&["Enter"]);
    t.wait_for("IAM role partner-support");

    t.keys(&["q"]);
    let s = t.wait_for("SKYHOUND-EXITED-0");
    // The alternate screen is gone: the shell's own output is back.
    assert!(!s.contains("overview ›"), "{s}");
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn a_signal_gives_the_terminal_back() {
    if !tmux_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "tmux is required for the terminal test in CI"
        );
        eprintln!("skipping: tmux is not installed");
        return;
    }
    for (signal, code) in [("TERM", 143), ("INT", 130), ("HUP", 129), ("QUIT", 131)] {
        let home = crate::scratch(&format!("tmux-signal-{signal}"));
        let t = Tmux {
            socket: format!("skyhound-signal-{}-{signal}", std::process::id()),
        };
        // The shell runs skyhound in the background so that its pid is known,
        // then waits for it: the status and the terminal's state follow.
        let cmd = format!(
            "env HOME={} TERM=xterm-256color {} --demo & echo $! > {}/pid; wait $!; echo SKYHOUND-EXITED-$?; stty -a | grep -o ' icanon' ; sleep 30",
            home.display(),
            env!("CARGO_BIN_EXE_skyhound"),
            home.display()
        );
        // With job control on (set -m) the shell reports the job's status
        // and the terminal's state once it has gone.
        let cmd = format!("bash -c 'set -m; {}'", cmd.replace('\'', "'\\''"));
        t.run(&[
            "new-session",
            "-d",
            "-s",
            "smoke",
            "-x",
            "100",
            "-y",
            "30",
            &cmd,
        ]);
        let start = Instant::now();
        let pid = loop {
            if let Ok(p) = std::fs::read_to_string(home.join("pid")) {
                if !p.trim().is_empty() {
                    break p.trim().to_string();
                }
            }
            assert!(start.elapsed() < Duration::from_secs(20), "no pid");
            std::thread::sleep(Duration::from_millis(20));
        };
        t.wait_for("overview:");
        let alt = t.run(&["display", "-p", "-t", "smoke", "#{alternate_on}"]);
        assert_eq!(alt.trim(), "1", "the explorer is on the alternate screen");
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(&pid)
            .status()
            .expect("kill");
        assert!(sent.success());
        let s = t.wait_for(&format!("SKYHOUND-EXITED-{code}"));
        let state = t.run(&[
            "display",
            "-p",
            "-t",
            "smoke",
            "#{alternate_on} #{mouse_any_flag} #{cursor_flag}",
        ]);
        assert_eq!(
            state.trim(),
            "0 0 1",
            "SIG{signal}: main screen, no mouse tracking, cursor shown:\n{s}"
        );
        let s = t.wait_for(" icanon");
        assert!(!s.contains("-icanon"), "raw mode is off:\n{s}");
        drop(t);
        let _ = std::fs::remove_dir_all(&home);
    }
}
