akta_kematian-title = Death Certificate
akta_kematian-intro =
    Thank you. Please accept our condolences.
    A death certificate is free of charge. Before we start, please have ready:
    - a photo of the death letter from the hospital, puskesmas, or village head/lurah
    - the NIK and Family Card number of the deceased
    - your own NIK as the person reporting
akta_kematian-nik_almarhum =
    Please type the NIK of the deceased (16 digits). It is on the KTP-el or the KK.
    Example: *6409011708900001*.
    .label = NIK of the deceased
akta_kematian-nama_almarhum = Please type the full name of the deceased as written on the Family Card.
    .label = Name of the deceased
akta_kematian-tanggal_meninggal = Please type the date of death as day-month-year. Example: *20-10-2026*.
    .label = Date of death
akta_kematian-tempat_meninggal =
    Please type the place of death, for example the hospital's name or the home address.
    Example: *Home, Desa Babulu Darat*.
    .label = Place of death
akta_kematian-no_kk = Please type the Family Card number of the deceased (16 digits). Example: *6409012005150003*.
    .label = KK number
akta_kematian-surat_kematian =
    Please send a photo of the death letter from the hospital, puskesmas, or village head/lurah.
    Make sure the whole letter is visible and the text is clearly readable.
    .label = Death letter
akta_kematian-nik_pelapor = Please type your own NIK as the person reporting (16 digits).
    .label = Reporter's NIK
akta_kematian-hubungan = Who are you to the deceased? Please type the number of your choice.
    .label = Relationship
akta_kematian-hubungan-suami_istri = Husband or wife of the deceased
akta_kematian-hubungan-anak = Child of the deceased
akta_kematian-hubungan-orang_tua = Parent of the deceased
akta_kematian-hubungan-saudara = Brother or sister of the deceased
akta_kematian-hubungan-lainnya = Other (relative, neighbour, or RT head)
akta_kematian-ringkasan = Please check your death certificate application:
