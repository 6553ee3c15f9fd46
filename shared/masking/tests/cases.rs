//! Tables of what each built-in kind masks and leaves alone, with the exact output.

use causeflow_masking::Masker;

/// Masks every input and checks the exact output, so a case that masks too much and one
/// that masks too little both fail with the input named.
fn assert_cases(cases: &[(&str, &str)]) {
    let masker = Masker::builtin();
    for (input, expected) in cases {
        let masked = masker.mask_text(input);
        assert_eq!(&masked.value, expected, "input: {input:?}");
    }
}

#[test]
fn emails_masked() {
    assert_cases(&[
        ("user@example.com", "[EMAIL]"),
        (
            "mail ana.silva+alerts@mail.example.com.br now",
            "mail [EMAIL] now",
        ),
        ("svc@db01.internal.local", "[EMAIL]"),
        ("from user@xn--bcher-kva.example", "from [EMAIL]"),
        ("to user@example.xn--p1ai", "to [EMAIL]"),
        ("josé.gonçalves@exemplo.com.br", "[EMAIL]"),
        ("用户@例子.广告", "[EMAIL]"),
        ("Contact: user@example.com.", "Contact: [EMAIL]."),
        ("(user@example.com), next", "([EMAIL]), next"),
        ("<ops_team@example.org>;", "<[EMAIL]>;"),
        (
            "mailto:user@example.com?subject=x",
            "mailto:[EMAIL]?subject=x",
        ),
        ("\"email\":\"ana@example.com\"", "\"email\":\"[EMAIL]\""),
        ("user='ana@example.com'", "user='[EMAIL]'"),
        ("ana@example.com,bob@example.com", "[EMAIL],[EMAIL]"),
        ("ana@example.com.v2 done", "[EMAIL].v2 done"),
        ("ＡＮＡ＠ＥＸＡＭＰＬＥ．ＣＯＭ", "[EMAIL]"),
    ]);
}

#[test]
fn email_lookalikes_left_alone() {
    assert_cases(&[
        ("logo@2x.png", "logo@2x.png"),
        (
            "icon@3x.webp and sprite@2X.jpg",
            "icon@3x.webp and sprite@2X.jpg",
        ),
        ("banner@large.svg", "banner@large.svg"),
        ("lodash@4.17.21", "lodash@4.17.21"),
        ("npm i @types/node@18.0.0", "npm i @types/node@18.0.0"),
        ("user@localhost", "user@localhost"),
        ("a@b.c", "a@b.c"),
        ("@@@ @example.com", "@@@ @example.com"),
        ("user.@example.com", "user.@example.com"),
        ("ping host@10.0.0.1", "ping host@10.0.0.1"),
    ]);
}

#[test]
fn cards_masked() {
    assert_cases(&[
        ("4111 1111 1111 1111", "[CREDIT_CARD]"),
        ("card=4111111111111111;", "card=[CREDIT_CARD];"),
        ("4111-1111-1111-1111", "[CREDIT_CARD]"),
        (
            "mc 5555555555554444 and 2223003122003222",
            "mc [CREDIT_CARD] and [CREDIT_CARD]",
        ),
        ("amex 3782 822463 10005", "amex [CREDIT_CARD]"),
        ("discover 6011111111111117", "discover [CREDIT_CARD]"),
        ("diners 30569309025904", "diners [CREDIT_CARD]"),
        ("jcb 3530111333300000", "jcb [CREDIT_CARD]"),
        ("unionpay 6200000000000005", "unionpay [CREDIT_CARD]"),
        ("elo 6362 9700 0045 7013", "elo [CREDIT_CARD]"),
        ("elo 5067260000000009", "elo [CREDIT_CARD]"),
        ("elo 4011781234567893", "elo [CREDIT_CARD]"),
        ("hipercard 6062825624254001", "hipercard [CREDIT_CARD]"),
        ("hipercard 3841001234567890122", "hipercard [CREDIT_CARD]"),
        ("visa13 4222222222222", "visa13 [CREDIT_CARD]"),
        ("4111 1111 1111 1111 2031", "[CREDIT_CARD] 2031"),
        (
            "cards 4111111111111111,5555555555554444",
            "cards [CREDIT_CARD],[CREDIT_CARD]",
        ),
        ("paid with 4111111111111111.", "paid with [CREDIT_CARD]."),
    ]);
}

#[test]
fn card_lookalikes_left_alone() {
    assert_cases(&[
        // Millisecond timestamp whose Luhn checksum happens to pass: no issuer starts with 1.
        ("ts=1733342477127", "ts=1733342477127"),
        ("4111111111111112", "4111111111111112"),
        ("ratio 0.4111111111111111", "ratio 0.4111111111111111"),
        ("4111111111111111.25", "4111111111111111.25"),
        ("id 41111111111111111111", "id 41111111111111111111"),
        (
            "uuid 123e4567-e89b-12d3-a456-426614174000",
            "uuid 123e4567-e89b-12d3-a456-426614174000",
        ),
        ("ports 4000,4001,4002,4005", "ports 4000,4001,4002,4005"),
        ("ports 8080 8443 9090 3000", "ports 8080 8443 9090 3000"),
        ("ports 4000 4001 4002 4003", "ports 4000 4001 4002 4003"),
        ("4111 1111-1111 1111", "4111 1111-1111 1111"),
        ("x4111111111111111", "x4111111111111111"),
        ("0x4111111111111111", "0x4111111111111111"),
        ("37828224631000", "37828224631000"),
    ]);
}

#[test]
fn cpfs_masked() {
    assert_cases(&[
        ("123.456.789-09", "[CPF]"),
        ("cpf: 12345678909", "cpf: [CPF]"),
        ("cpf=529.982.247-25,", "cpf=[CPF],"),
        ("\"cpf\":\"11144477735\"", "\"cpf\":\"[CPF]\""),
        ("doc 935411347-80 ok", "doc [CPF] ok"),
    ]);
}

#[test]
fn cpf_lookalikes_left_alone() {
    assert_cases(&[
        ("123.456.789-00", "123.456.789-00"),
        ("12345678900", "12345678900"),
        ("912345678909", "912345678909"),
        ("123456789091", "123456789091"),
        ("123.456.789-091", "123.456.789-091"),
        ("1.123.456.789-09", "1.123.456.789-09"),
    ]);
}

/// The ten all-same-digit values pass the check-digit arithmetic but are never issued, and
/// `000.000.000-00` is a common filler value, so they are deliberately not masked.
#[test]
fn all_same_digit_cpfs_left_alone() {
    let masker = Masker::builtin();
    for digit in '0'..='9' {
        let plain: String = std::iter::repeat_n(digit, 11).collect();
        let formatted = format!("{0}{0}{0}.{0}{0}{0}.{0}{0}{0}-{0}{0}", digit);
        for input in [plain, formatted] {
            let masked = masker.mask_text(&input);
            assert_eq!(masked.value, input);
            assert!(
                masked.counts.is_empty(),
                "counts for {input}: {:?}",
                masked.counts
            );
        }
    }
}

#[test]
fn phones_masked() {
    assert_cases(&[
        ("+55 11 99999-9999", "[PHONE]"),
        ("+5511999999999", "[PHONE]"),
        ("+55 (11) 99999-9999", "[PHONE]"),
        ("(11) 99999-9999", "[PHONE]"),
        ("(11)99999-9999", "[PHONE]"),
        ("(011) 3333-4444", "[PHONE]"),
        ("(21) 3333 4444", "[PHONE]"),
        ("tel 11 99999-9999.", "tel [PHONE]."),
        ("tel 11 9 9999-9999", "tel [PHONE]"),
        ("fixo 21 3333-4444", "fixo [PHONE]"),
        ("cel 99999-9999", "cel [PHONE]"),
        ("+1 (415) 555-2671", "[PHONE]"),
        ("+1-415-555-2671", "[PHONE]"),
        ("+44 20 7946 0958", "[PHONE]"),
        ("+44 (0)20 7946 0958", "[PHONE]"),
        ("+4915123456789", "[PHONE]"),
        ("call +55 11 99999-9999 2024", "call [PHONE] 2024"),
    ]);
}

#[test]
fn phone_lookalikes_left_alone() {
    assert_cases(&[
        ("2024-01-15", "2024-01-15"),
        ("15/01/2024 10:30:00", "15/01/2024 10:30:00"),
        ("2024-01-15T10:30:00.123Z", "2024-01-15T10:30:00.123Z"),
        ("version 1.22.333", "version 1.22.333"),
        ("v10.2.3-rc1", "v10.2.3-rc1"),
        ("host 192.168.100.200", "host 192.168.100.200"),
        ("listen 0.0.0.0:8080", "listen 0.0.0.0:8080"),
        ("ports 8000-8080", "ports 8000-8080"),
        ("exit code 137", "exit code 137"),
        ("processed 99999999 rows", "processed 99999999 rows"),
        ("count=11999999999", "count=11999999999"),
        ("11 3333 4444", "11 3333 4444"),
        ("(10) 3333-4444", "(10) 3333-4444"),
        ("3333-4444", "3333-4444"),
        ("+1234", "+1234"),
        ("1+12345678", "1+12345678"),
        ("+12345678901234567", "+12345678901234567"),
        ("offset +05:30", "offset +05:30"),
    ]);
}

#[test]
fn bearer_tokens_masked() {
    assert_cases(&[
        (
            "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
            "Authorization: [TOKEN]",
        ),
        (
            "authorization: bearer abc123def456",
            "authorization: [TOKEN]",
        ),
        (
            "AUTHORIZATION: BEARER Abc.Def-123_x",
            "AUTHORIZATION: [TOKEN]",
        ),
        ("BeArEr\tmF_9.B5f-4.1JqM", "[TOKEN]"),
        (
            "{\"Authorization\":\"Bearer mF_9.B5f-4.1JqM\",\"x\":1}",
            "{\"Authorization\":\"[TOKEN]\",\"x\":1}",
        ),
        (
            "GET /cb?auth=Bearer%20mF_9.B5f-4.1JqM&next=1",
            "GET /cb?auth=[TOKEN]&next=1",
        ),
        ("auth=Bearer+mF_9.B5f-4.1JqM&next=1", "auth=[TOKEN]&next=1"),
        ("Bearer dGVzdDp0ZXN0==, realm", "[TOKEN], realm"),
    ]);
}

#[test]
fn jwts_masked_without_scheme() {
    assert_cases(&[
        ("token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0In0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c&x=1", "token=[TOKEN]&x=1"),
        ("unsigned eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0. end", "unsigned [TOKEN] end"),
        ("\"id_token\":\"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.c2ln\"", "\"id_token\":\"[TOKEN]\""),
    ]);
}

#[test]
fn token_lookalikes_left_alone() {
    assert_cases(&[
        ("the Bearer scheme is used", "the Bearer scheme is used"),
        ("uses Bearer Authentication", "uses Bearer Authentication"),
        ("token_type: Bearer", "token_type: Bearer"),
        ("eyJustin.was.here", "eyJustin.was.here"),
        ("eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9"),
        (
            "xeyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.c2ln",
            "xeyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.c2ln",
        ),
        ("cupbearer abc123def456", "cupbearer abc123def456"),
    ]);
}

#[test]
fn full_width_lookalikes_masked() {
    assert_cases(&[
        ("ana＠example.com", "[EMAIL]"),
        ("ana﹫example.com", "[EMAIL]"),
        (
            "card ４１１１ １１１１ １１１１ １１１１ ok",
            "card [CREDIT_CARD] ok",
        ),
        ("cpf １２３．４５６．７８９－０９", "cpf [CPF]"),
        ("tel ＋５５ １１ ９９９９９－９９９９", "tel [PHONE]"),
        ("ＢＥＡＲＥＲ abc123def456", "[TOKEN]"),
    ]);
}

#[test]
fn every_kind_in_one_line() {
    let masker = Masker::builtin();
    let line = "user=ana@example.com card=4111 1111 1111 1111 tel=+55 11 99999-9999 cpf=123.456.789-09 auth=Bearer abc123def456";
    let masked = masker.mask_text(line);
    assert_eq!(
        masked.value,
        "user=[EMAIL] card=[CREDIT_CARD] tel=[PHONE] cpf=[CPF] auth=[TOKEN]"
    );
    for label in ["EMAIL", "CREDIT_CARD", "PHONE", "CPF", "TOKEN"] {
        assert_eq!(masked.counts.get(label), Some(&1), "count of {label}");
    }
}

#[test]
fn counts_add_up_per_kind() {
    let masked = Masker::builtin().mask_text("a@example.com b@example.com 4111111111111111");
    assert_eq!(masked.counts.get("EMAIL"), Some(&2));
    assert_eq!(masked.counts.get("CREDIT_CARD"), Some(&1));
    assert_eq!(masked.counts.len(), 2);
}

#[test]
fn text_without_pii_is_unchanged() {
    let line = "2026-12-04T20:31:17.123Z INFO GET /api/v1/orders/12345 status=200 latency_ms=37 host=10.0.3.17:8080";
    let masked = Masker::builtin().mask_text(line);
    assert_eq!(masked.value, line);
    assert!(masked.counts.is_empty());
}
