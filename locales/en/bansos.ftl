bansos-title = Social Assistance (Bansos)
bansos-intro =
    Thank you. Your request will be passed to the Social Affairs Office (Dinas Sosial) and is free of charge.
    Recipients of social assistance are decided from the national social and economic register (DTSEN), so we cannot promise any assistance.
    Before we start, please have your NIK and Family Card number ready.
bansos-keperluan = What do you need? Please type the number of your choice.
    .label = Request
bansos-keperluan-cek_penerima = Check whether I am registered as a recipient
bansos-keperluan-usul_baru = Propose a new recipient
bansos-keperluan-keluhan = Complaint (assistance not paid, stopped, or given to the wrong people)
bansos-jenis = Which assistance is it about? Please type the number of your choice.
    .label = Type of assistance
bansos-jenis-pkh = PKH (Family Hope Programme)
bansos-jenis-bpnt = BPNT or Sembako Card (food assistance)
bansos-jenis-pbi_jk = BPJS Kesehatan with contributions paid by the government (PBI-JK)
bansos-jenis-blt = BLT (direct cash assistance)
bansos-jenis-lainnya = Other or not sure
bansos-nik = Please type your NIK (16 digits). Example: *6409011708900001*.
    .label = NIK
bansos-nama = Please type your full name as written on your KTP-el.
    .label = Full name
bansos-no_kk = Please type your Family Card number (16 digits). Example: *6409012005150003*.
    .label = KK number
bansos-jalan = Please type your home address: street name and house number. Example: *Jl. Merdeka No. 12*.
    .label = Address
bansos-rt_rw =
    Please type the RT and RW of your home. Example: *RT 003 RW 005*.
    If there is only an RT, type the RT alone, for example *RT 12*.
    .label = RT/RW
bansos-desa_kel = Please type your village (desa) or kelurahan. Example: *Nipah-Nipah*.
    .label = Village/kelurahan
bansos-kecamatan = In which kecamatan (district) do you live? Please type the number of your choice.
    .label = Kecamatan
bansos-kecamatan-babulu = Babulu
bansos-kecamatan-penajam = Penajam
bansos-kecamatan-sepaku = Sepaku
bansos-kecamatan-waru = Waru
bansos-kode_pos = Please type your postal code (5 digits). Example: *76144*. If you do not know it, type *skip*.
    .label = Postal code
bansos-keterangan =
    If there is anything to add, please type it briefly. Example: *PKH assistance not paid since August 2026*.
    If not, type *skip*.
    .label = Notes
bansos-ringkasan = Please check your social assistance request:
