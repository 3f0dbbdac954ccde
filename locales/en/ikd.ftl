ikd-title = IKD activation (digital ID)
ikd-intro =
    Thank you. Activation of the Digital Population Identity (IKD) is done in person at the office and is free of charge.
    With this service you book a visit.
    Please bring:
    - your KTP-el
    - an Android phone or iPhone with the Identitas Kependudukan Digital app installed
    - an active e-mail address that you can open on that phone
ikd-nik = Please type your NIK (16 digits). Example: *6409011708900001*.
    .label = NIK
ikd-nama = Please type your full name as written on your KTP-el.
    .label = Full name
ikd-email = Please type an active e-mail address for your IKD account. Example: *budi@gmail.com*.
    .label = E-mail
ikd-telepon_lain =
    If the officer should call you about the appointment on a number other than this chat, please type it. Example: *0812-3456-7890*.
    If there is none, type *skip*.
    .label = Other phone number
ikd-lokasi = Where would you like to activate IKD? Please type the number of your choice.
    .label = Activation place
ikd-lokasi-disdukcapil = Disdukcapil office of Penajam Paser Utara
ikd-lokasi-mpp = Public Service Mall (MPP) of Penajam Paser Utara
ikd-tanggal =
    When would you like to come? Choose a working day (Monday to Friday, not a public holiday) within the next 30 days.
    Please type day-month-year, for example *07-12-2026*, or type *besok* (tomorrow).
    .label = Visit date
ikd-ringkasan = Please check your IKD activation booking:
