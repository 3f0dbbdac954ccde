kartu_keluarga-title = Family Card (KK)
kartu_keluarga-intro =
    Thank you. The Family Card service is free of charge.
    Before we start, please have clear photos ready of your current KK and the supporting document for your request:
    - data change: proof of the change, for example a diploma, marriage book or certificate
    - adding a member: the child's birth certificate, a marriage book, or a moving certificate (SKPWNI)
    - removing a member: a death certificate, divorce certificate, or moving certificate (SKPWNI)
    - separate KK: a marriage book or marriage certificate, or a divorce certificate
    - lost KK: the police loss report; damaged KK: the damaged KK
    The new KK is sent as an electronically signed PDF that you can print yourself.
kartu_keluarga-jenis = What do you need for your Family Card? Please type the number of your choice.
    .label = Request
kartu_keluarga-jenis-perubahan_data = Change of data (name, religion, education, status, and so on)
kartu_keluarga-jenis-tambah_anggota = Add a family member (for example a newborn child)
kartu_keluarga-jenis-kurang_anggota = Remove a family member (death, moving away, or divorce)
kartu_keluarga-jenis-pisah_kk = Separate KK (a Family Card of your own)
kartu_keluarga-jenis-hilang_rusak = Lost or damaged KK
kartu_keluarga-nik = Please type your NIK as the applicant (16 digits). Example: *6409011708900001*.
    .label = Applicant's NIK
kartu_keluarga-no_kk = Please type your current Family Card number (16 digits). Example: *6409012005150003*.
    .label = KK number
kartu_keluarga-nik_anggota =
    Please type the NIK (16 digits) of the family member being added, removed, changed, or separated.
    If that member has no NIK yet (for example a newborn), or the change concerns your own data, type *skip*.
    .label = Family member's NIK
kartu_keluarga-dokumen_perubahan =
    Please send proof of the data change, for example a diploma, marriage book or certificate.
    A clear photo or a PDF file is fine.
    .label = Proof of change
kartu_keluarga-dokumen_tambah =
    Please send the new member's document: the child's birth certificate, a marriage book, or a moving certificate (SKPWNI), as applicable.
    A clear photo or a PDF file is fine.
    .label = New member's document
kartu_keluarga-dokumen_kurang =
    Please send the document for the member being removed: a death certificate, divorce certificate, or moving certificate (SKPWNI), as applicable.
    A clear photo or a PDF file is fine.
    .label = Removal document
kartu_keluarga-dokumen_pisah =
    Please send a marriage book or marriage certificate. If you are separating because of a divorce, send the divorce certificate.
    A clear photo or a PDF file is fine.
    .label = Separation document
kartu_keluarga-dokumen_hilang_rusak =
    If the KK is lost, please send a photo of the police loss report.
    If the KK is damaged, please send a photo of the damaged KK.
    Make sure the photo is clear and readable.
    .label = Loss report or damaged KK
kartu_keluarga-foto_kk_lama =
    Please send a photo of your current Family Card.
    Make sure the whole page is visible and the text is clearly readable.
    .label = Photo of old KK
kartu_keluarga-email =
    The new KK will be sent as a PDF. Please type your e-mail address. Example: *budi@gmail.com*.
    If you have no e-mail, type *skip*; you can collect the KK at the office.
    .label = E-mail
kartu_keluarga-ringkasan = Please check your Family Card application:
