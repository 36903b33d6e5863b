//! Campus drives from a spreadsheet: bad rows named by line with nothing
//! sent, a list uploaded again inviting nobody twice, and the invited
//! person setting a password and applying in one step.

use assay::db::schema::notices;
use awc::http::StatusCode;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::attempts::{drive_with, Drive};
use crate::helpers::{spawn_app, TestApp};

const HEADER: &str = "Name,Email,Degree,Score,Institute\n";

async fn upload(app: &TestApp, drive: &Drive, path: &str, format: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let mut res = app
        .client
        .post(app.url(&format!(
            "/api/v1/drives/{}/invitations{path}?format={format}",
            drive.drive_id
        )))
        .bearer_auth(&drive.recruiter)
        .send_body(body)
        .await
        .expect("upload");
    let status = res.status();
    (status, crate::helpers::json_body(&mut res).await)
}

fn invitations_mailed(app: &TestApp) -> Vec<(String, String)> {
    let mut conn = app.state.pool.get().expect("conn");
    notices::table
        .filter(notices::kind.eq("campus_invitation"))
        .order(notices::id)
        .select((notices::recipient_email, notices::body_text))
        .load(&mut *conn)
        .expect("notices")
}

#[actix_web::test]
async fn a_list_with_bad_rows_names_each_line_and_invites_nobody() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let csv = format!(
        "{HEADER}Asha Rao,asha@example.com,B.Com,72,SRCC\n,nobody@example.com,B.A,60,\nRavi,ravi at example,B.Com,65,\nMeena,ASHA@example.com,B.Sc,80,\nJo,jo@example.com,B.Com,140%,\n"
    );
    for path in ["/preview", ""] {
        let (status, body) = upload(&app, &drive, path, "csv", csv.clone().into_bytes()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let lines: Vec<i64> = body["error"]["details"]
            .as_array()
            .expect("details")
            .iter()
            .map(|d| d["line"].as_i64().expect("line"))
            .collect();
        assert_eq!(lines, [3, 4, 5, 6], "{body}");
        let text = body.to_string();
        assert!(text.contains("name is missing"), "{text}");
        assert!(text.contains("ravi at example"), "{text}");
        assert!(text.contains("listed twice (first on line 2)"), "{text}");
        assert!(text.contains("0 to 100"), "{text}");
    }
    assert!(invitations_mailed(&app).is_empty(), "nobody was invited");
    let (status, body) = upload(&app, &drive, "", "csv", b"Email\nasha@example.com\n".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.to_string().contains("\\\"name\\\""), "{body}");
}

fn workbook(rows: &[[&str; 5]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, title) in ["Name", "Email", "Degree", "Score", "Institute"].iter().enumerate() {
        sheet.write_string(0, c as u16, *title).expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let at = (r as u32 + 1, c as u16);
            match cell.parse::<f64>() {
                Ok(x) => sheet.write_number(at.0, at.1, x).map(|_| ()),
                Err(_) => sheet.write_string(at.0, at.1, *cell).map(|_| ()),
            }
            .expect("cell");
        }
    }
    book.save_to_buffer().expect("xlsx")
}

#[actix_web::test]
async fn uploading_the_same_list_again_invites_nobody_twice() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let csv = format!("{HEADER}Asha Rao,asha@example.com,B.Com,72,SRCC\nRavi Kumar,ravi@example.com,B.Com,65,Loyola\n");
    let (status, preview) = upload(&app, &drive, "/preview", "csv", csv.clone().into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["new"].as_array().expect("new").len(), 2);
    assert!(invitations_mailed(&app).is_empty(), "a preview sends nothing");

    let (status, first) = upload(&app, &drive, "", "csv", csv.clone().into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["invited"], 2);
    let (_, again) = upload(&app, &drive, "", "csv", csv.into_bytes()).await;
    assert_eq!(again["invited"], 0);
    assert_eq!(
        again["already_invited"],
        json!(["asha@example.com", "ravi@example.com"])
    );

    // The same people in a workbook, one new, addresses in another case.
    let xlsx = workbook(&[
        ["Asha Rao", "ASHA@example.com", "B.Com", "72", "SRCC"],
        ["Meena Iyer", "meena@example.com", "B.Sc", "81.5", "Stella Maris"],
    ]);
    let (_, preview) = upload(&app, &drive, "/preview", "xlsx", xlsx.clone()).await;
    assert_eq!(preview["new"][0]["email"], "meena@example.com", "{preview}");
    assert_eq!(preview["new"][0]["score_percent"], 81.5);
    let (status, third) = upload(&app, &drive, "", "xlsx", xlsx).await;
    assert_eq!(status, StatusCode::OK, "{third}");
    assert_eq!(third["invited"], 1);
    let mailed: Vec<String> = invitations_mailed(&app).into_iter().map(|(to, _)| to).collect();
    assert_eq!(mailed, ["asha@example.com", "ravi@example.com", "meena@example.com"]);
}

#[actix_web::test]
async fn an_invited_person_sets_a_password_and_applies_in_one_step() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let csv = format!("{HEADER}Asha Rao,asha@example.com,B.Com,72,SRCC\n");
    let (status, _) = upload(&app, &drive, "", "csv", csv.into_bytes()).await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = invitations_mailed(&app).pop().expect("an invitation");
    let start = body.find("/invitations/").expect("a link") + "/invitations/".len();
    let token = &body[start..start + 64];

    let (status, shown) = app.get_json(&format!("/api/v1/invitations/{token}"), None).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown["full_name"], "Asha Rao");
    let (status, weak) = app
        .post_json(
            &format!("/api/v1/invitations/{token}/accept"),
            &json!({"password": "password1"}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{weak}");
    let (status, accepted) = app
        .post_json(
            &format!("/api/v1/invitations/{token}/accept"),
            &json!({"password": crate::helpers::PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{accepted}");
    let session = accepted["token"].as_str().expect("a session");
    let (status, profile) = app.get_json("/api/v1/me/profile", Some(session)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(profile["degree"], "B.Com");
    assert_eq!(profile["institute"], "SRCC");
    assert_eq!(profile["score_percent"], 72.0);
    let (status, rows) = app
        .get_json(
            &format!("/api/v1/drives/{}/rankings?limit=10", drive.drive_id),
            Some(&drive.recruiter),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rows}");
    let signed_in = app.sign_in("asha@example.com", crate::helpers::PASSWORD).await;
    assert!(!signed_in.is_empty());
    let (status, again) = app
        .post_json(
            &format!("/api/v1/invitations/{token}/accept"),
            &json!({"password": crate::helpers::PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "a link works once: {again}");
    assert!(accepted["application_id"].as_i64().is_some());
}

#[actix_web::test]
async fn the_same_list_uploaded_twice_at_once_invites_each_person_once() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let csv = format!("{HEADER}Asha Rao,asha@example.com,B.Com,72,SRCC\nRavi Kumar,ravi@example.com,B.Com,65,Loyola\n");
    let (a, b) = tokio::join!(
        upload(&app, &drive, "", "csv", csv.clone().into_bytes()),
        upload(&app, &drive, "", "csv", csv.into_bytes())
    );
    assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK), "{} {}", a.1, b.1);
    let invited = a.1["invited"].as_i64().expect("count") + b.1["invited"].as_i64().expect("count");
    assert_eq!(invited, 2);
    let mut mailed: Vec<String> = invitations_mailed(&app).into_iter().map(|(to, _)| to).collect();
    mailed.sort();
    assert_eq!(mailed, ["asha@example.com", "ravi@example.com"]);
}

#[actix_web::test]
async fn an_invitation_accepted_twice_at_once_makes_one_account() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let (status, _) = upload(
        &app,
        &drive,
        "",
        "csv",
        format!("{HEADER}Asha Rao,asha@example.com,B.Com,72,SRCC\n").into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = invitations_mailed(&app).pop().expect("an invitation");
    let start = body.find("/invitations/").expect("a link") + "/invitations/".len();
    let path = format!("/api/v1/invitations/{}/accept", &body[start..start + 64]);
    let password = json!({"password": crate::helpers::PASSWORD});
    let (a, b) = tokio::join!(
        app.post_json(&path, &password, None),
        app.post_json(&path, &password, None)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT], "{} {}", a.1, b.1);
}

/// A multipart form as a browser sends it: the CSRF token and one file.
fn multipart(csrf: &str, file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "assay-campus-boundary-9QfT2s";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Uploads a list through the drive's invitations page; returns the
/// preview page the upload leads to, and its address.
async fn upload_on_page(
    app: &TestApp,
    browser: &mut crate::helpers::Browser<'_>,
    drive: &Drive,
    file_name: &str,
    bytes: &[u8],
) -> (crate::helpers::Page, String) {
    let page = browser.get(&format!("/drives/{}/invitations", drive.drive_id)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let (content_type, body) = multipart(&page.csrf(), file_name, bytes);
    let cookie = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let res = app
        .client
        .post(app.url(&format!("/drives/{}/invitations/upload", drive.drive_id)))
        .insert_header(("Cookie", cookie))
        .insert_header(("Content-Type", content_type))
        .send_body(body)
        .await
        .expect("upload");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the upload leads to its preview");
    let location = res
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .expect("location")
        .to_string();
    assert!(
        location.starts_with(&format!("/drives/{}/invitations/uploads/", drive.drive_id)),
        "{location}"
    );
    let preview = browser.get(&location).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    (preview, location)
}

/// The text of each body row of the table with this id, cell by cell.
fn table_rows(body: &str, id: &str) -> Vec<Vec<String>> {
    let Some(start) = body.find(&format!("id=\"{id}\"")) else {
        return Vec::new();
    };
    let table = &body[start..start + body[start..].find("</table>").expect("table end")];
    let tbody = &table[table.find("<tbody>").expect("tbody")..];
    tbody
        .split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td>")
                .skip(1)
                .map(|cell| {
                    let cell = &cell[..cell.find("</td>").expect("cell end")];
                    cell.replace("&#34;", "\"")
                        .replace("&quot;", "\"")
                        .replace("&#39;", "'")
                        .replace("&amp;", "&")
                })
                .collect()
        })
        .collect()
}

#[actix_web::test]
async fn a_recruiter_uploads_a_list_on_the_page_sees_each_bad_row_sends_once_and_the_invited_accept() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    crate::attempts::applicant(&app, "priya@example.com", &drive, 70.0).await;
    let mut browser = crate::helpers::signed_in(&app, "recruiter@example.com").await;
    let drive_page = browser.get(&format!("/drives/{}", drive.drive_id)).await;
    assert!(
        drive_page
            .body
            .contains(&format!("href=\"/drives/{}/invitations\"", drive.drive_id)),
        "the drive's page links to its invitations"
    );
    let empty = browser.get(&format!("/drives/{}/invitations", drive.drive_id)).await;
    assert!(
        empty.body.contains("Nobody has been invited to this drive yet"),
        "{}",
        empty.body
    );

    let csv = format!(
        "{HEADER}Asha Rao,asha@example.com,B.Com,72,SRCC\n,nobody@example.com,B.A,60,\nRavi,ravi at example,B.Com,65,\n\
         Meena,ASHA@example.com,B.Sc,80,\nJo,jo@example.com,B.Com,140%,\nPriya Nair,priya@example.com,B.Com,70,\n\
         Kiran Das,kiran@example.com,B.Sc,66,Loyola\n"
    );
    let (preview, at) = upload_on_page(&app, &mut browser, &drive, "graduates.csv", csv.as_bytes()).await;
    let bad = table_rows(&preview.body, "bad-rows");
    let lines: Vec<&str> = bad.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(lines, ["3", "4", "5", "6"], "{}", preview.body);
    assert_eq!(bad[0][1], "The name is missing.");
    assert!(
        bad[1][1].starts_with("\"ravi at example\" is not an email address"),
        "{}",
        bad[1][1]
    );
    assert_eq!(
        bad[2][1],
        "asha@example.com is listed twice (first on line 2); keep one row."
    );
    assert_eq!(bad[3][1], "The score \"140%\" is not a percentage from 0 to 100.");
    assert!(
        preview.body.contains("1 already applied") && preview.body.contains("<li>priya@example.com</li>"),
        "one who applied is named and not invited: {}",
        preview.body
    );
    let good: Vec<(String, String)> = table_rows(&preview.body, "to-invite")
        .into_iter()
        .map(|r| (r[0].clone(), r[2].clone()))
        .collect();
    assert_eq!(
        good,
        [
            ("2".to_string(), "asha@example.com".to_string()),
            ("8".to_string(), "kiran@example.com".to_string())
        ]
    );
    assert!(preview.body.contains("Send 2 invitation(s)"), "{}", preview.body);
    assert!(invitations_mailed(&app).is_empty(), "a preview sends nothing");

    let send = format!("{at}/send");
    assert!(preview.body.contains(&format!("action=\"{send}\"")), "{}", preview.body);
    let sent = browser.post_form(&send, &[("csrf_token", &preview.csrf())]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let list = browser.get(sent.location.as_deref().expect("back to the list")).await;
    assert!(
        list.body
            .contains("2 invitations sent; 1 person had applied already; 4 bad rows left out."),
        "{}",
        list.body
    );
    assert!(list.body.contains("<td>kiran@example.com</td>"), "{}", list.body);
    let mailed = |app: &TestApp| -> Vec<String> { invitations_mailed(app).into_iter().map(|(to, _)| to).collect() };
    assert_eq!(mailed(&app), ["asha@example.com", "kiran@example.com"]);

    let twice = browser.post_form(&send, &[("csrf_token", &preview.csrf())]).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "a list is sent once");
    let (again, again_at) = upload_on_page(&app, &mut browser, &drive, "graduates.csv", csv.as_bytes()).await;
    assert_eq!(table_rows(&again.body, "bad-rows").len(), 4);
    assert!(again.body.contains("2 already invited"), "{}", again.body);
    assert!(again.body.contains("Nobody on this list is new"), "{}", again.body);
    assert!(!again.body.contains("/send\""), "nothing to send: {}", again.body);
    // Even pressed by hand, the same list sends nobody twice.
    let forced = browser
        .post_form(&format!("{again_at}/send"), &[("csrf_token", &preview.csrf())])
        .await;
    assert_eq!(forced.status, StatusCode::SEE_OTHER, "{}", forced.body);
    let report = browser.get(forced.location.as_deref().expect("report")).await;
    assert!(
        report
            .body
            .contains("0 invitations sent; 2 people were invited already"),
        "{}",
        report.body
    );
    assert_eq!(
        mailed(&app),
        ["asha@example.com", "kiran@example.com"],
        "nobody is mailed twice"
    );

    // Kiran follows the link, sets a password and has applied.
    let (_, body) = invitations_mailed(&app).pop().expect("kiran's invitation");
    let start = body.find("/invitations/").expect("a link") + "/invitations/".len();
    let token = &body[start..start + 64];
    let mut kiran = app.browser();
    let invitation = kiran.get(&format!("/invitations/{token}")).await;
    assert_eq!(invitation.status, StatusCode::OK);
    assert!(invitation.body.contains("Loyola"), "the profile from the list");
    let accepted = kiran
        .post_form(
            &format!("/invitations/{token}"),
            &[
                ("csrf_token", &invitation.csrf()),
                ("password", crate::helpers::PASSWORD),
            ],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert_eq!(
        accepted.location.as_deref(),
        Some(format!("/drives/{}", drive.drive_id).as_str())
    );
    let list = browser.get(&format!("/drives/{}/invitations", drive.drive_id)).await;
    let states: Vec<(String, bool)> = table_rows(&list.body, "invited")
        .into_iter()
        .map(|r| (r[1].clone(), r[4].starts_with("Accepted")))
        .collect();
    assert_eq!(
        states,
        [
            ("kiran@example.com".to_string(), true),
            ("asha@example.com".to_string(), false)
        ],
        "{}",
        list.body
    );
    let applicants = browser
        .get(&format!("/drives/{}/applicants?q=kiran", drive.drive_id))
        .await;
    assert!(applicants.body.contains("Kiran Das"), "Kiran applied in the same step");
}

#[actix_web::test]
async fn an_archived_drive_invites_nobody_until_restored() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let state = format!("/api/v1/drives/{}/state", drive.drive_id);
    let (status, body) = app
        .post_json(&state, &json!({"move": "archive"}), Some(&drive.recruiter))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let csv = format!("{HEADER}Asha Rao,asha@example.com,B.Com,72,SRCC\n");
    let (status, body) = upload(&app, &drive, "", "csv", csv.clone().into_bytes()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "drive_archived", "{body}");
    assert!(invitations_mailed(&app).is_empty());
    let (status, _) = app
        .post_json(&state, &json!({"move": "restore"}), Some(&drive.recruiter))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = upload(&app, &drive, "", "csv", csv.into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["invited"], 1);
}

#[actix_web::test]
async fn a_file_the_page_cannot_read_comes_back_on_the_page_with_the_reason() {
    let app = spawn_app().await;
    let drive = drive_with(&app, json!({})).await;
    let mut browser = crate::helpers::signed_in(&app, "recruiter@example.com").await;
    let page = browser.get(&format!("/drives/{}/invitations", drive.drive_id)).await;
    let cookie = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    for (file, bytes, reason) in [
        ("list.csv", b"Email\nasha@example.com\n".to_vec(), "must name a"),
        (
            "old.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest".to_vec(),
            "old Excel file (.xls)",
        ),
    ] {
        let (content_type, body) = multipart(&page.csrf(), file, &bytes);
        let mut res = app
            .client
            .post(app.url(&format!("/drives/{}/invitations/upload", drive.drive_id)))
            .insert_header(("Cookie", cookie.clone()))
            .insert_header(("Content-Type", content_type))
            .send_body(body)
            .await
            .expect("upload");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{file}");
        let html = String::from_utf8_lossy(&res.body().await.expect("body")).to_string();
        assert!(html.contains(reason), "{file}: {html}");
        assert!(html.contains("Check the list"), "the upload form is there to try again");
    }
    let mut conn = app.state.pool.get().expect("conn");
    let kept: i64 = assay::db::schema::campus_uploads::table
        .count()
        .get_result(&mut *conn)
        .expect("count");
    assert_eq!(kept, 0, "an unreadable file is not kept");
}
