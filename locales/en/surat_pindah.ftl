surat_pindah-title = Moving Certificate
surat_pindah-intro =
    Thank you. The moving certificate service is free of charge.
    Before we start, please have ready:
    - a photo of your Family Card
    - the full address you are moving to
    - if you are moving into Penajam Paser Utara: a photo of the moving certificate (SKPWNI) from your previous regency
    The officer will check the family members moving with you against the KK.
surat_pindah-jenis = What kind of move is it? Please type the number of your choice.
    .label = Type of move
surat_pindah-jenis-keluar = Moving out of Kabupaten Penajam Paser Utara
surat_pindah-jenis-dalam_kabupaten = Moving within Kabupaten Penajam Paser Utara
surat_pindah-jenis-datang = Moving into Kabupaten Penajam Paser Utara
surat_pindah-nik = Please type your NIK (16 digits). Example: *6409011708900001*.
    .label = NIK
surat_pindah-no_kk = Please type your Family Card number (16 digits). Example: *6409012005150003*.
    .label = KK number
surat_pindah-jalan = Please type the new address: street name and house number. Example: *Jl. Merdeka No. 12*.
    .label = New address
surat_pindah-rt_rw =
    Please type the RT and RW of the new address. Example: *RT 003 RW 005*.
    If there is only an RT, type the RT alone, for example *RT 12*.
    .label = RT/RW
surat_pindah-desa_kel = Please type the village (desa) or kelurahan you are moving to. Example: *Nipah-Nipah*.
    .label = Village/kelurahan
surat_pindah-kecamatan = In which kecamatan (district) is the new address? Please type the number of your choice.
    .label = Kecamatan
surat_pindah-kecamatan-babulu = Babulu
surat_pindah-kecamatan-penajam = Penajam
surat_pindah-kecamatan-sepaku = Sepaku
surat_pindah-kecamatan-waru = Waru
surat_pindah-kecamatan_luar = Please type the kecamatan (district) you are moving to. Example: *Balikpapan Kota*.
    .label = Kecamatan
surat_pindah-kabupaten_kota = Please type the regency or city you are moving to. Example: *Kota Balikpapan*.
    .label = Regency/city
surat_pindah-provinsi = Please type the province you are moving to. Example: *Kalimantan Timur*.
    .label = Province
surat_pindah-kode_pos = Please type the postal code of the new address (5 digits). Example: *76144*. If you do not know it, type *skip*.
    .label = Postal code
surat_pindah-alasan = What is the main reason for moving? Please type the number of your choice.
    .label = Reason for moving
surat_pindah-alasan-pekerjaan = Work
surat_pindah-alasan-pendidikan = Education
surat_pindah-alasan-keamanan = Security
surat_pindah-alasan-kesehatan = Health
surat_pindah-alasan-perumahan = Housing
surat_pindah-alasan-keluarga = Family
surat_pindah-alasan-lainnya = Other
surat_pindah-jumlah_ikut =
    How many family members are moving with you, not counting yourself?
    Please type a number from 0 to 10. If you are moving alone, type *0*.
    .label = Family members moving along
surat_pindah-foto_skpwni =
    Please send a photo of the moving certificate (SKPWNI) from your previous regency.
    Make sure the whole page is visible and the text is clearly readable.
    .label = Photo of SKPWNI
surat_pindah-foto_kk =
    Please send a photo of your Family Card.
    Make sure the whole page is visible and the text is clearly readable.
    .label = Photo of KK
surat_pindah-ringkasan = Please check your moving certificate application:
