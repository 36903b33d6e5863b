//! The `assay irt` commands, run as a user runs them.

use std::process::Command;

fn assay(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(args)
        .output()
        .expect("run assay")
}

fn lsat6_path() -> String {
    format!("{}/tests/fixtures/lsat6.csv", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn irt_fit_prints_ltm_estimates_for_lsat6_as_json() {
    let out = assay(&["irt", "fit", &lsat6_path(), "--freq-col", "freq"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let ll = json["log_likelihood"].as_f64().unwrap();
    assert!((ll - -2466.653).abs() < 0.01, "{ll}");
    // ltm: (a, SE a, b, SE b) for items 1 and 3.
    let expected = [
        (0, 0.8254, 0.2581, -3.3597, 0.8669),
        (2, 0.8905, 0.2326, -0.2799, 0.0997),
    ];
    for (j, a, se_a, b, se_b) in expected {
        let item = &json["items"][j];
        assert_eq!(item["item"], format!("item{}", j + 1));
        for (key, value) in [("a", a), ("se_a", se_a), ("b", b), ("se_b", se_b)] {
            let got = item[key].as_f64().unwrap();
            assert!((got - value).abs() < 0.01, "{key} of item {}: {got}", j + 1);
        }
        assert!(item["fit"]["p_value"].as_f64().is_some(), "{item}");
    }
    assert_eq!(json["items"].as_array().unwrap().len(), 5, "freq is not an item");
}

#[test]
fn irt_fit_without_freq_col_says_which_column_holds_counts() {
    let out = assay(&["irt", "fit", &lsat6_path()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--freq-col freq"), "{stderr}");
}

#[test]
fn irt_simulate_prints_adaptive_and_fixed_form_figures() {
    let out = assay(&[
        "irt",
        "simulate",
        "--generate-pool",
        "300",
        "--people",
        "300",
        "--seed",
        "3",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    for form in ["adaptive", "fixed_best", "fixed_random"] {
        for key in [
            "correlation",
            "rmse",
            "mean_length",
            "max_exposure",
            "marginal_reliability",
            "squared_correlation",
        ] {
            assert!(json[form][key].as_f64().is_some(), "{form}.{key} in {json}");
        }
    }
    assert!(json["adaptive"]["max_exposure"].as_f64().unwrap() <= 0.25);
    assert_eq!(json["fixed_best"]["mean_length"].as_f64(), Some(40.0));
    // Both comparisons say plainly whether the target was met.
    let verdict = json["verdict"].to_string();
    for form in ["best-matched", "random"] {
        assert!(
            verdict.contains(&format!("Target against the {form} 40-item form")),
            "{verdict}"
        );
    }
}

#[test]
fn irt_simulate_reads_a_pool_file() {
    let dir = std::env::temp_dir().join(format!("assay-irt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let pool = dir.join("pool.csv");
    let mut text = String::from("id,section,a,b\n");
    for i in 0..60 {
        text.push_str(&format!(
            "q{i},{},{},{}\n",
            ["alpha", "beta"][i % 2],
            0.8 + (i % 5) as f64 * 0.2,
            -2.0 + i as f64 / 15.0
        ));
    }
    std::fs::write(&pool, text).expect("write");
    let out = assay(&[
        "irt",
        "simulate",
        "--pool",
        pool.to_str().unwrap(),
        "--people",
        "200",
        "--max-len",
        "15",
        "--min-len",
        "15",
        "--fixed-len",
        "15",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["pool_size"], 60);
    assert_eq!(json["adaptive"]["mean_length"].as_f64(), Some(15.0));
}

#[test]
fn calibrated_parameters_are_stored_with_the_version_and_exported() {
    let dir = std::env::temp_dir().join(format!("assay-irt-bank-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let db = format!("sqlite://{}", dir.join("bank.db").display());
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_assay"))
            .args(args)
            .env("DATABASE_URL", &db)
            .output()
            .expect("run assay")
    };
    let bank = dir.join("calibrated.csv");
    let write = |a: &str| {
        std::fs::write(
            &bank,
            format!(
                "id,type,stem,option_a,option_b,answer,irt_a,irt_b\nq1,single_choice,Two plus two?,4,5,A,{a},-0.75\n"
            ),
        )
        .expect("write")
    };
    write("1.5");
    let out = run(&["bank", "import", bank.to_str().unwrap(), "--bank", "Calibrated"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let export = run(&["bank", "export", "Calibrated", "--format", "toml"]);
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    let toml = String::from_utf8_lossy(&export.stdout);
    assert!(toml.contains("irt_a = 1.5") && toml.contains("irt_b = -0.75"), "{toml}");
    // New parameters are a new version of the question.
    write("1.6");
    let out = run(&["bank", "import", bank.to_str().unwrap(), "--bank", "Calibrated"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 updated"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let export = run(&["bank", "export", "Calibrated", "--format", "gift"]);
    assert!(String::from_utf8_lossy(&export.stdout).contains("irt_a=1.6; irt_b=-0.75"));
    let _ = std::fs::remove_dir_all(&dir);
}
