use super::*;
use crate::domain::Lang;

fn settings() -> EmailSettings {
    EmailSettings::bundled()
}

const GOOD_RU: &str = "Добрый день, Сергей Викторович!

Спасибо за разговор. Как договорились, наш инженер приедет на ферму в четверг, 26.11, в 10:00: осмотрит щитовую и место под аккумуляторы.

Прошу подтвердить до среды, 25.11, что в четверг в 10:00 вам удобно.

С уважением,
Анна Смирнова
Менеджер по продажам
Солар Дом
+7 (495) 000-00-10";

#[test]
fn a_good_russian_email_passes_every_check() {
    let r = review_email(
        GOOD_RU,
        Some("Сергей Викторович Кузнецов"),
        "Анна Смирнова",
        &settings(),
    );
    assert_eq!(r.greeting.first_name.as_deref(), Some("Сергей"));
    assert_eq!(r.greeting.uses_name, Some(true));
    assert!(r.signature_missing.is_empty(), "{:?}", r.signature_missing);
    assert!(r.concise);
    let cta = r.call_to_action.expect("a call to action");
    assert_eq!((cta.phrase.as_str(), cta.when.as_str()), ("прошу", "среды"));
    assert_eq!(r.stats.lang, Lang::Ru);
    assert_eq!(r.stats.sentences, 3);
    assert!(
        r.stats.readability > 0.0 && r.stats.readability < 100.0,
        "{}",
        r.stats.readability
    );
}

#[test]
fn each_failure_is_named() {
    let no_name = GOOD_RU.replace("Добрый день, Сергей Викторович!", "Здравствуйте!");
    let r = review_email(
        &no_name,
        Some("Кузнецов Сергей Викторович"),
        "Анна Смирнова",
        &settings(),
    );
    assert_eq!(r.greeting.line.as_deref(), Some("Здравствуйте!"));
    assert_eq!(r.greeting.uses_name, Some(false));
    assert_eq!(r.answer(EmailCheck::GreetingName), Some(false));

    let unknown_contact = review_email(GOOD_RU, None, "Анна Смирнова", &settings());
    assert_eq!(unknown_contact.answer(EmailCheck::GreetingName), None);

    let no_phone = GOOD_RU.replace("+7 (495) 000-00-10", "");
    let r = review_email(
        &no_phone,
        Some("Сергей Кузнецов"),
        "Анна Смирнова",
        &settings(),
    );
    assert_eq!(r.signature_missing, vec![SignatureLine::Phone]);

    let no_role_no_company = GOOD_RU.replace("Менеджер по продажам\nСолар Дом\n", "");
    let r = review_email(&no_role_no_company, None, "Анна Смирнова", &settings());
    assert_eq!(
        r.signature_missing,
        vec![SignatureLine::Role, SignatureLine::Company]
    );

    let no_date = GOOD_RU.replace(
        "Прошу подтвердить до среды, 25.11, что в четверг в 10:00 вам удобно.",
        "Прошу подтвердить, что вам удобно.",
    );
    let r = review_email(&no_date, None, "Анна Смирнова", &settings());
    assert!(r.call_to_action.is_none(), "{:?}", r.call_to_action);
    let no_phrase = GOOD_RU.replace(
        "Прошу подтвердить до среды, 25.11, что",
        "До среды, 25.11, ясно, что",
    );
    assert!(
        review_email(&no_phrase, None, "Анна Смирнова", &settings())
            .call_to_action
            .is_none()
    );
}

const LONG_EN: &str = "Dear Daniel,

Thank you very much for taking the time to speak with me earlier today about the solar water heating for Brooks Hotel, it was really a pleasure to learn more about the hotel and the restaurant and the pool and all of the plans that you have.

Please let me know by Wednesday, 2 December, which day suits you for the site survey.

Best regards,
Kate Miller
Sales Manager
Solar Dom
+7 (495) 000-00-30";

#[test]
fn an_english_email_with_a_long_sentence_is_not_concise() {
    let r = review_email(LONG_EN, Some("Daniel Brooks"), "Kate Miller", &settings());
    assert_eq!(r.greeting.uses_name, Some(true));
    assert!(r.signature_missing.is_empty(), "{:?}", r.signature_missing);
    assert_eq!(r.stats.lang, Lang::En);
    assert_eq!(r.stats.longest_sentence_words, 47);
    assert!(!r.concise);
    let cta = r.call_to_action.unwrap();
    assert_eq!(
        (cta.phrase.as_str(), cta.when.as_str()),
        ("please", "wednesday")
    );
}

#[test]
fn quoted_replies_and_abbreviations_do_not_count() {
    let body = "Hi Lars,\n\nYes, the export is monthly, i.e. per building. Can you confirm by 3 pm tomorrow?\n\nKate Miller\nSales Manager, Solar Dom\n+7 495 000 00 30\n\nOn Tue, 24 Nov 2026 Lars Nyberg wrote:\n> Can we get monthly figures?\n> Please answer by Friday.";
    assert!(!own_text(body).contains("monthly figures"));
    let r = review_email(body, Some("Lars Nyberg"), "Kate Miller", &settings());
    assert_eq!(r.stats.sentences, 2, "i.e. does not end a sentence");
    assert!(r.signature_missing.is_empty(), "{:?}", r.signature_missing);
    assert_eq!(r.call_to_action.unwrap().when, "tomorrow");
}

#[test]
fn dates_and_times_in_both_languages() {
    for (text, found) in [
        ("созвонимся 07.12", Some("07.12")),
        ("в 11:00", Some("11:00")),
        ("at 3 pm", Some("3 pm")),
        ("до пятницы", Some("пятницы")),
        ("by 2 December", Some("december")),
        ("в 10 часов", Some("10 часов")),
        ("когда вам удобно", None),
        ("version 2.0 of 150 kW", Some("2.0")),
    ] {
        assert_eq!(date_or_time(text).as_deref(), found, "{text}");
    }
}

#[test]
fn first_names_of_russian_and_english_contacts() {
    assert_eq!(
        first_name("Сергей Викторович Кузнецов").as_deref(),
        Some("Сергей")
    );
    assert_eq!(
        first_name("Кузнецов Сергей Викторович").as_deref(),
        Some("Сергей")
    );
    assert_eq!(
        first_name("Ольга Николаевна Белова").as_deref(),
        Some("Ольга")
    );
    assert_eq!(first_name("Lars Nyberg").as_deref(), Some("Lars"));
    assert_eq!(first_name("  ").as_deref(), None);
}

#[test]
fn the_bundled_settings_and_checklist_agree() {
    let s = settings();
    assert_eq!(s.signature.required.len(), 4);
    let checklist = Checklist::from_toml(DEFAULT_EMAIL_CHECKLIST_TOML, "email.toml").unwrap();
    for lang in [Lang::En, Lang::Ru] {
        assert!(checklist.items.iter().all(|i| !i.text.get(lang).is_empty()));
    }
    let checks = crate::domain::checklist::item_checks::<EmailCheck>(DEFAULT_EMAIL_CHECKLIST_TOML);
    assert_eq!(
        checks,
        vec![
            ("greeting_name".to_string(), EmailCheck::GreetingName),
            ("signature".to_string(), EmailCheck::Signature),
            ("concise".to_string(), EmailCheck::Concise),
            ("call_to_action".to_string(), EmailCheck::CallToAction),
            ("spelling".to_string(), EmailCheck::Spelling),
        ]
    );
    let r = review_email(GOOD_RU, Some("Сергей Кузнецов"), "Анна Смирнова", &s);
    let answers = automatic_answers(&checklist, DEFAULT_EMAIL_CHECKLIST_TOML, &r);
    // Spelling is answered once dictionaries checked the text.
    assert_eq!(answers.len(), 4);
    assert!(
        answers
            .iter()
            .all(|(_, a)| a.automatic && a.value == Some(AnswerValue::Yes))
    );
    let r = review_email(GOOD_RU, None, "Анна Смирнова", &s);
    let ids: Vec<String> = automatic_answers(&checklist, DEFAULT_EMAIL_CHECKLIST_TOML, &r)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        ids,
        ["signature", "concise", "call_to_action"],
        "no contact: greeting left to the reviewer"
    );
}
