ktp_el-title = KTP-el (electronic ID card)
ktp_el-intro =
    Thank you. The KTP-el service is free of charge.
    Before we start, please have clear photos ready of:
    - your Family Card (KK)
    - the damaged KTP-el, if it is damaged
    - the police loss report, if your KTP-el is lost
    - proof of the change (for example a marriage book, diploma or certificate), if your data has changed
    For a new KTP-el you need to come in person for data recording (face photo, fingerprints, iris scan and signature). With this service you book your recording visit.
ktp_el-jenis = What do you need? Please type the number of your choice.
    .label = Request
ktp_el-jenis-baru = New KTP-el (data never recorded)
ktp_el-jenis-hilang = Replacement of a lost KTP-el
ktp_el-jenis-rusak = Replacement of a damaged KTP-el
ktp_el-jenis-perubahan_data = Change of KTP-el data
ktp_el-surat_polisi =
    Do you already have a loss report (surat keterangan kehilangan) from the police?
    Type *yes* or *no*.
    .label = Police loss report
ktp_el-tanggal_lahir = Please type your date of birth as day-month-year. Example: *17-08-2008*.
    .label = Date of birth
ktp_el-nik = Please type your NIK (16 digits). Example: *6409011708900001*.
    .label = NIK
ktp_el-nama = Please type your full name as written on the Family Card.
    .label = Full name
ktp_el-no_kk =
    Please type your Family Card number (16 digits). It is printed at the top of the KK.
    Example: *6409012005150003*.
    .label = KK number
ktp_el-foto_kk =
    Please send a photo of your Family Card.
    Make sure the whole page is visible and the text is clearly readable.
    .label = Photo of KK
ktp_el-foto_ktp =
    Please send a photo of the front of the damaged KTP-el.
    Make sure the photo is clear and not blurred.
    .label = Photo of damaged KTP-el
ktp_el-surat_kehilangan =
    Please send a photo of the police loss report.
    Make sure the whole letter is visible and the text is clearly readable.
    .label = Police loss report
ktp_el-bukti =
    Please send proof of the data change, for example a marriage book, diploma or certificate.
    A clear photo or a PDF file is fine.
    .label = Proof of change
ktp_el-ambil_di = Where would you like to collect your finished KTP-el? Please type the number of your choice.
    .label = Pickup place
ktp_el-ambil_di-kecamatan = The kecamatan (district) office where you live
ktp_el-ambil_di-disdukcapil = Disdukcapil office of Penajam Paser Utara
ktp_el-ambil_di-mpp = Public Service Mall (MPP) of Penajam Paser Utara
ktp_el-tempat_rekam = Where would you like your KTP-el data to be recorded? Please type the number of your choice.
    .label = Recording place
ktp_el-tempat_rekam-disdukcapil = Disdukcapil office of Penajam Paser Utara
ktp_el-tempat_rekam-mpp = Public Service Mall (MPP) of Penajam Paser Utara
ktp_el-tempat_rekam-kecamatan = The kecamatan (district) office where you live
ktp_el-tanggal_rekam =
    When would you like to come for recording? Choose a working day (Monday to Friday, not a public holiday), at most 30 days from now.
    Please type day-month-year, for example *07-12-2026*, or type *besok* (tomorrow).
    .label = Recording date
ktp_el-ringkasan = Please check your KTP-el application:
ktp_el-jenis-baru-done =
    Please come on your recording date during office hours and bring:
    - your Family Card (original or photocopy)
    - your marriage book or marriage certificate, if you are under 17 and married
    The officer records your face photo, fingerprints, iris scan and signature.
ktp_el-perlu_surat_polisi =
    For a lost KTP-el, Disdukcapil needs a loss report from the police.
    Please get it at the nearest Polsek or Polres, and bring your Family Card.
    Once you have the letter, type *ktp hilang* to apply.
