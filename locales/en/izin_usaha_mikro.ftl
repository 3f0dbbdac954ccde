izin_usaha_mikro-title = Micro Business Licence (NIB)
izin_usaha_mikro-intro =
    Thank you. DPMPTSP staff will help you register a Business Identification Number (NIB) for a micro business on OSS.
    The NIB is free of charge. Before we start, please have ready:
    - the owner's NIK
    - an active e-mail address
    - the business name and address
    - a short description of the business and the amount of capital
izin_usaha_mikro-nik = Please type your NIK as the business owner (16 digits). Example: *6409011708900001*.
    .label = NIK
izin_usaha_mikro-nama = Please type your full name as written on your KTP-el.
    .label = Owner's name
izin_usaha_mikro-email =
    Please type an active e-mail address for the OSS account. If you already have an OSS account, type its e-mail.
    Example: *budi@gmail.com*.
    .label = E-mail
izin_usaha_mikro-telepon_lain =
    Staff will call you to finish the OSS registration. If you want to be called on a number other than this chat, please type it. Example: *0812-3456-7890*.
    If there is none, type *skip*.
    .label = Other phone number
izin_usaha_mikro-nama_usaha = Please type the name of your business. Example: *Warung Makan Berkah*.
    .label = Business name
izin_usaha_mikro-kegiatan =
    Please describe the business briefly: what you sell or do.
    Example: *Selling food and drinks at a small eatery*.
    .label = Business activity
izin_usaha_mikro-jalan = Please type the business address: street name and number. Example: *Jl. Merdeka No. 12*.
    .label = Business address
izin_usaha_mikro-rt_rw =
    Please type the RT and RW of the business address. Example: *RT 003 RW 005*.
    If there is only an RT, type the RT alone, for example *RT 12*.
    .label = RT/RW
izin_usaha_mikro-desa_kel = Please type the village (desa) or kelurahan of the business. Example: *Nipah-Nipah*.
    .label = Village/kelurahan
izin_usaha_mikro-kecamatan = In which kecamatan (district) is the business? Please type the number of your choice.
    .label = Kecamatan
izin_usaha_mikro-kecamatan-babulu = Babulu
izin_usaha_mikro-kecamatan-penajam = Penajam
izin_usaha_mikro-kecamatan-sepaku = Sepaku
izin_usaha_mikro-kecamatan-waru = Waru
izin_usaha_mikro-kode_pos = Please type the postal code of the business (5 digits). Example: *76144*. If you do not know it, type *skip*.
    .label = Postal code
izin_usaha_mikro-modal =
    How much capital does the business have, excluding land and buildings?
    Please type the amount in rupiah without dots. Example: *5000000* for five million rupiah.
    .label = Business capital (rupiah)
izin_usaha_mikro-punya_akun_oss = Do you already have an OSS account? Type *yes* or *no*.
    .label = Has an OSS account
izin_usaha_mikro-ringkasan = Please check your NIB application:
