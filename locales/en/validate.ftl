# Validation messages for form answers (src/validate), English.
# Same ids as locales/id/validate.ftl and validate::MESSAGE_IDS.
# Arguments arrive as finished text; dates are written like 17-08-1990.
# Commands stay Indonesian (*ya*, *ubah*): the bot understands them in every language.

## General

invalid-empty = Sorry, we could not read your answer. Please type it again in letters or digits, as in the example in the question.

## NIK

invalid-nik-chars = Sorry, a NIK has only 16 digits. Please type just the NIK, without letters or other words. Example: *6409011708900001*.
invalid-nik-letter-o = Sorry, a NIK contains only the digits 0–9 (the letter O is not the digit 0). Example: *6409011708900001*.
invalid-nik-length = Sorry, a NIK has 16 digits; you typed { $digits }. Example: *6409011708900001*.
invalid-nik-repeated = Sorry, a NIK is not one digit repeated. Please type the NIK on your KTP-el or KK, for example *6409011708900001*.
invalid-nik-province = Sorry, a NIK starts with a province code, and { $code } is not one. Please check the NIK on your KTP-el or KK, for example *6409011708900001*.
invalid-nik-regency = Sorry, digits 3 and 4 of a NIK (the regency or city code) cannot be 00. Please check it, for example *6409011708900001*.
invalid-nik-district = Sorry, digits 5 and 6 of a NIK (the district code) cannot be 00. Please check it, for example *6409011708900001*.
invalid-nik-date = Sorry, digits 7 to 12 of a NIK ({ $part }) are the date of birth, but that date does not exist. Please check it, for example *6409011708900001*.
invalid-nik-serial = Sorry, the last four digits of a NIK cannot be 0000. Please check it, for example *6409011708900001*.
warn-nik-region-unknown = The region code in that NIK ({ $code }) is not in our list of regions. Type *ya* if it matches your KTP-el, or *ubah* to change it.
warn-nik-birth-date = That NIK gives the date of birth { $nik_date }, but you wrote { $stated_date }. Type *ya* if this is correct, or *ubah* to change it.
warn-nik-sex =
    That NIK belongs to { $nik_sex ->
        [female] a woman
       *[other] a man
    }, but you chose { $stated_sex ->
        [female] female
       *[other] male
    }. Type *ya* if this is correct, or *ubah* to change it.
warn-nik-same-as-kk = The NIK you typed is the same as the KK number. The NIK is on the KTP-el; the KK number is at the top of the family card. Type *ya* if this is correct, or *ubah* to change it.

## KK number

invalid-kk-chars = Sorry, a KK number has only 16 digits. Please type just the KK number, without letters or other words. Example: *6409012005150003*.
invalid-kk-letter-o = Sorry, a KK number contains only the digits 0–9 (the letter O is not the digit 0). Example: *6409012005150003*.
invalid-kk-length = Sorry, a KK number has 16 digits; you typed { $digits }. Example: *6409012005150003*.
invalid-kk-repeated = Sorry, a KK number is not one digit repeated. Please type the number at the top of the family card, for example *6409012005150003*.
invalid-kk-province = Sorry, a KK number starts with a province code, and { $code } is not one. Please check it, for example *6409012005150003*.
invalid-kk-region = Sorry, the regency and district codes in a KK number (digits 3 to 6) cannot be 00. Please check it, for example *6409012005150003*.
warn-kk-date = Digits 7 to 12 of a KK number ({ $part }) are usually a date, but this date does not exist. Type *ya* if it matches your family card, or *ubah* to change it.
warn-kk-serial = A KK number does not usually end in 0000. Type *ya* if it matches your family card, or *ubah* to change it.
warn-kk-same-as-nik = The KK number you typed is the same as the NIK. The KK number is at the top of the family card. Type *ya* if this is correct, or *ubah* to change it.

## NPWP, NIB, KBLI

invalid-npwp-chars = Sorry, an NPWP contains only digits, dots and dashes. Example: *01.312.166.0-091.000*, or the NIK for individuals.
invalid-npwp-length = Sorry, an NPWP has 15 or 16 digits; you typed { $digits }. Example: *01.312.166.0-091.000*, or the NIK for individuals.
invalid-npwp-check = Sorry, that NPWP is not valid; a digit may be mistyped. Please check your NPWP card, for example *01.312.166.0-091.000*.
invalid-nib-chars = Sorry, a NIB contains only digits. Example: *1234567890123*.
invalid-nib-length = Sorry, a NIB has 13 digits; you typed { $digits }. Example: *1234567890123*.
invalid-kbli-chars = Sorry, a KBLI code contains only digits. Example: *47111*.
invalid-kbli-length = Sorry, a KBLI code has 5 digits; you typed { $digits }. Example: *47111*.

## Phone numbers

invalid-phone-chars = Sorry, a phone number contains only digits and may start with +. Please type just the number, without other words. Example: *0812-3456-7890*.
invalid-phone-letter-o = Sorry, a phone number contains only digits (the letter O is not the digit 0). Example: *0812-3456-7890*.
invalid-phone-short = Sorry, that phone number is too short. Please type the full number, for example *0812-3456-7890*.
invalid-phone-long = Sorry, that phone number is too long. Please check it, for example *0812-3456-7890*.
invalid-phone-emergency = Sorry, { $number } is a service number, not a personal one. In an emergency, please call *112*. Please type your mobile number, for example *0812-3456-7890*.
invalid-phone-not-mobile = Sorry, that is not a mobile number we can reach. Please type a mobile number, for example *0812-3456-7890*.
warn-phone-foreign = The number { $number } is a foreign number. Type *ya* if this is correct, or *ubah* to change it. Indonesian numbers look like *0812-3456-7890*.

## Dates

invalid-date-format = Sorry, we could not understand that date. Please type day-month-year, for example *17-08-1990* or *17 August 1990*.
invalid-date-no-such-day = Sorry, the date { $date } does not exist. Please type day-month-year, for example *17-08-1990*.
invalid-date-month = Sorry, there is no month { $month }; months are 1 to 12 and come after the day. Please type day-month-year, for example *17-08-1990*.
invalid-date-year = Sorry, we cannot accept the year { $year }. Please type the year with 4 digits, for example *17-08-1990*.
invalid-date-need-year = Sorry, { $date } has not come yet this year. Please type the date with its year, for example *17-08-1990*.
invalid-date-need-day = Please type the day as well (day-month-year), for example *17-08-1990*.
invalid-date-future = Sorry, that date has not come yet. Please type today's date or an earlier one, for example *17-08-1990*.
invalid-date-past = Sorry, that date has already passed. Please type today's date or a later one, for example *besok* (tomorrow).
invalid-date-too-early = Sorry, the earliest date we can accept is { $min }. Please type day-month-year, for example *{ $min }*.
invalid-date-too-late = Sorry, the latest date we can accept is { $max }. Please type day-month-year, for example *{ $max }*.
invalid-date-too-old = Sorry, that date is more than { $years } years ago. Please check the year, for example *17-08-1990*.
invalid-date-too-far = Sorry, the date can be at most { $days } days from today, that is { $last }. Please choose a nearer date, for example *besok* (tomorrow).

## Postal code

invalid-postal-chars = Sorry, a postal code contains only digits. Example: *76144*.
invalid-postal-length = Sorry, a postal code has 5 digits; you typed { $digits }. Example: *76144*.
invalid-postal-first-digit = Sorry, a postal code does not start with 0. Example: *76144*.
warn-postal-region = The postal code { $code } is outside our area (postal codes here start with { $expected }). Type *ya* if this is correct, or *ubah* to change it.

## RT/RW

invalid-rtrw-format = Sorry, we could not understand that RT/RW. Please type the RT number and then the RW number, for example *003/005* or *RT 3 RW 5*.
invalid-rtrw-number = Sorry, { $number } is not a valid number; RT and RW numbers are from 1 to 999. Example: *003/005*.
invalid-rtrw-need-rw = Sorry, the RW number is missing. Please type the RT together with the RW, for example *{ $rt }/005*.
invalid-rtrw-need-rt = Sorry, the RT number is missing. Please type the RT together with the RW, for example *003/005*.

## Names

invalid-name-chars = Sorry, a name contains only letters, spaces, dots, hyphens and apostrophes ('), starting with a letter. Example: *Siti Aminah*.
invalid-name-digits = Sorry, a name cannot contain digits. Example: *Siti Aminah*.
invalid-name-short = Sorry, a name has at least 2 letters. Example: *Siti Aminah*.
invalid-name-long = Sorry, a name has at most { $max } characters. Please type the name as on the KTP-el or KK, for example *Siti Aminah*.
warn-name-baby-one-word = A new child's name should have at least two words (Permendagri 73/2022), for example *Aisyah Putri*. Type *ya* if this is correct, or *ubah* to change it.
warn-name-baby-punctuation = A child's name should have no punctuation or abbreviations (Permendagri 73/2022), for example *Muhammad Rizki*. Type *ya* if this is correct, or *ubah* to change it.
warn-name-baby-long = A child's name should have at most { $max } characters including spaces (Permendagri 73/2022). Type *ya* if this is correct, or *ubah* to change it.

## E-mail

invalid-email-at = Sorry, an e-mail address contains exactly one @ sign. Example: *budi@gmail.com*.
invalid-email-format = Sorry, the part before the @ sign is not right; use letters, digits, dots or underscores. Example: *budi.santoso@gmail.com*.
invalid-email-domain = Sorry, the part after the @ sign is not right. Example: *budi@gmail.com*.
invalid-email-long = Sorry, an e-mail address has at most { $max } characters. Example: *budi@gmail.com*.
warn-email-typo = The address *{ $address }* may be mistyped. Did you mean *{ $suggestion }*? Type *ya* to use that address, *tidak* if *{ $address }* is correct, or type the address again.

## Location

invalid-location-range = Sorry, we could not read that location. Please share your location with the attachment button, or type coordinates, for example *-1.26,116.83*.
invalid-location-swapped = Sorry, the latitude and longitude seem to be swapped. Please type the latitude first, for example *-1.26,116.83*.
invalid-location-outside = Sorry, that location is outside Indonesia. Please share the location you mean, for example *-1.26,116.83*.
warn-location-outside-area = That location is outside our regency. Type *ya* if this is correct, or *ubah* to change it.
